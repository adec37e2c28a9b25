package actors;

import agent.Alert;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Maps alerts to incidents, one router entity per dedup key (host and alert kind). It keeps at
 * most one open incident per key: a new alert attaches to it, a repeat delivery of an alert
 * already seen (same fingerprint and startsAt) is a heartbeat of the incident it belongs to even
 * after that incident concluded, and a resolved notification ends the chain so the next firing
 * opens a new incident.
 *
 * <p>The router forwards to the incident, which persists the alert and replies to the original
 * caller. An incident that concluded in the meantime replies {@link IngestReply.AlreadyConcluded};
 * the caller then routes again naming that incident, and the router opens a new one.
 */
public final class IncidentRouter
    extends EventSourcedBehavior<IncidentRouter.Command, IncidentRouter.Event, IncidentRouter.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "IncidentRouter");

  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9.-]");

  /** Repeat-delivery keys remembered for the current incident; the oldest are forgotten first. */
  static final int MAX_DELIVERY_KEYS = 64;

  /** Messages the router handles. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Routes a firing alert.
   *
   * @param concludedIncidentId the incident that replied it had concluded, or empty
   */
  public record RouteAlert(Alert alert, String concludedIncidentId, ActorRef<IngestReply> replyTo) implements Command {}

  /** Routes a resolved notification. */
  public record RouteResolved(Alert alert, ActorRef<IngestReply> replyTo) implements Command {}

  /** The incident needs no more work: the next new alert opens a new incident. */
  public record IncidentFinished(String incidentId) implements Command {}

  /** Router events. */
  public sealed interface Event extends JsonSerializable {}

  public record IncidentAssigned(String incidentId, int sequence, String deliveryKey) implements Event {}

  public record DeliveryKeyAdded(String deliveryKey) implements Event {}

  public record CurrentFinished(String incidentId) implements Event {}

  public record ChainResolved(String incidentId) implements Event {}

  /**
   * @param currentIncidentId the latest incident of this key, or empty
   * @param open whether that incident still takes new alerts
   * @param sequence how many incidents this key has had
   * @param deliveryKeys repeat-delivery keys that belong to the latest incident
   */
  public record State(String currentIncidentId, boolean open, int sequence, Set<String> deliveryKeys)
      implements JsonSerializable {

    State assigned(IncidentAssigned event) {
      return new State(event.incidentId(), true, event.sequence(), Set.of(event.deliveryKey()));
    }

    State withKey(String key) {
      LinkedHashSet<String> keys = new LinkedHashSet<>(deliveryKeys);
      keys.add(key);
      while (keys.size() > MAX_DELIVERY_KEYS) {
        keys.remove(keys.iterator().next());
      }
      return new State(currentIncidentId, open, sequence, keys);
    }

    State finished(String incidentId) {
      return incidentId.equals(currentIncidentId) ? new State(currentIncidentId, false, sequence, deliveryKeys) : this;
    }

    State resolved() {
      return new State(currentIncidentId, false, sequence, Set.of());
    }
  }

  private final String dedupKey;
  private final ClusterSharding sharding;
  private final ActorContext<Command> context;

  private IncidentRouter(String dedupKey, ClusterSharding sharding, ActorContext<Command> context) {
    super(PersistenceId.of(ENTITY_KEY.name(), dedupKey), JournalBackoff.strategy(context.getSystem()));
    this.dedupKey = dedupKey;
    this.sharding = sharding;
    this.context = context;
  }

  public static Behavior<Command> create(String dedupKey, ClusterSharding sharding) {
    return Behaviors.setup(context -> new IncidentRouter(dedupKey, sharding, context));
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId(), sharding)));
  }

  /**
   * Builds a readable incident id from host, kind, sequence and a random suffix, e.g.
   * {@code web-01_HostDiskFull_3-9f1c2a}. The suffix keeps ids unique across journals, such as the
   * in-memory one of each {@code investigate} run, which all publish to the same topic.
   * Characters outside {@code [A-Za-z0-9.-]} become {@code -}; when that changed anything, a hash of
   * the original key is added so that two keys never share an id.
   */
  static String incidentId(String host, String kind, int sequence, String suffix) {
    String safeHost = UNSAFE.matcher(host).replaceAll("-");
    String safeKind = UNSAFE.matcher(kind).replaceAll("-");
    String id = safeHost + "_" + safeKind;
    if (!safeHost.equals(host) || !safeKind.equals(kind)) {
      id += "-" + Integer.toHexString((host + "|" + kind).hashCode());
    }
    return id + "_" + sequence + "-" + suffix;
  }

  private static String randomSuffix() {
    return String.format("%06x", java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 24));
  }

  @Override
  public State emptyState() {
    return new State("", false, 0, Set.of());
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(RouteAlert.class, this::onRouteAlert)
        .onCommand(RouteResolved.class, this::onRouteResolved)
        .onCommand(IncidentFinished.class, this::onIncidentFinished)
        .build();
  }

  private Effect<Event, State> onRouteAlert(State state, RouteAlert command) {
    Alert alert = command.alert();
    String key = alert.deliveryKey();
    boolean current = !state.currentIncidentId().isEmpty();

    if (current && state.deliveryKeys().contains(key)) {
      return forward(state.currentIncidentId(), command);
    }
    boolean currentConcluded = state.currentIncidentId().equals(command.concludedIncidentId());
    if (current && state.open() && !currentConcluded) {
      return Effect().persist(new DeliveryKeyAdded(key)).thenRun(s -> forwardNow(s.currentIncidentId(), command));
    }

    int sequence = state.sequence() + 1;
    String incidentId = incidentId(alert.host(), alert.kind(), sequence, randomSuffix());
    context.getLog().debug("router [{}]: opening incident [{}]", dedupKey, incidentId);
    return Effect()
        .persist(new IncidentAssigned(incidentId, sequence, key))
        .thenRun(s -> forwardNow(incidentId, command));
  }

  private Effect<Event, State> forward(String incidentId, RouteAlert command) {
    forwardNow(incidentId, command);
    return Effect().none();
  }

  private void forwardNow(String incidentId, RouteAlert command) {
    sharding.entityRefFor(Incident.ENTITY_KEY, incidentId)
        .tell(new Incident.ReceiveAlert(command.alert(), command.replyTo()));
  }

  private Effect<Event, State> onRouteResolved(State state, RouteResolved command) {
    if (state.currentIncidentId().isEmpty()) {
      return Effect().reply(command.replyTo(), new IngestReply.Accepted("", "no-open-incident"));
    }
    String incidentId = state.currentIncidentId();
    return Effect()
        .persist(new ChainResolved(incidentId))
        .thenRun(s -> sharding.entityRefFor(Incident.ENTITY_KEY, incidentId)
            .tell(new Incident.Resolve(command.alert(), command.replyTo())));
  }

  private Effect<Event, State> onIncidentFinished(State state, IncidentFinished command) {
    if (!state.open() || !state.currentIncidentId().equals(command.incidentId())) {
      return Effect().none();
    }
    return Effect().persist(new CurrentFinished(command.incidentId()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(IncidentAssigned.class, State::assigned)
        .onEvent(DeliveryKeyAdded.class, (state, event) -> state.withKey(event.deliveryKey()))
        .onEvent(CurrentFinished.class, (state, event) -> state.finished(event.incidentId()))
        .onEvent(ChainResolved.class, (state, event) -> state.resolved())
        .build();
  }
}
