package actors;

import agent.Guidelines;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The judge guidelines, event-sourced: every added guideline is an event and raises the version by
 * one. It runs as a cluster singleton, because the version must grow by one per change across the
 * cluster; each node reads it through a {@link GuidelinesView}.
 */
public final class GuidelinesStore
    extends EventSourcedBehavior<GuidelinesStore.Command, GuidelinesStore.Event, GuidelinesStore.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("JudgeGuidelines");

  /** Messages the store handles. */
  public sealed interface Command extends JsonSerializable {}

  /**
   * Adds a guideline.
   *
   * @param source a review id, or {@code manual}
   */
  public record AddGuideline(String text, String source, ActorRef<Current> replyTo) implements Command {}

  public record GetGuidelines(ActorRef<Current> replyTo) implements Command {}

  /** The guidelines in force; after an add, its last item is the new guideline. */
  public record Current(Guidelines guidelines) implements JsonSerializable {}

  /** Store events. */
  public sealed interface Event extends JsonSerializable {}

  /** @param version the version this guideline starts */
  public record GuidelineAdded(Guidelines.Guideline guideline, int version) implements Event {}

  /** The store's state: the guidelines in force. */
  public record State(Guidelines guidelines) implements JsonSerializable {}

  private final Clock clock;
  private final int snapshotEvery;
  private final ActorContext<Command> context;

  private GuidelinesStore(PersistenceId persistenceId, Clock clock, int snapshotEvery, ActorContext<Command> context) {
    super(persistenceId, JournalBackoff.strategy(context.getSystem()));
    this.clock = clock;
    this.snapshotEvery = snapshotEvery;
    this.context = context;
  }

  public static Behavior<Command> create(Clock clock, int snapshotEvery) {
    return create(PERSISTENCE_ID, clock, snapshotEvery);
  }

  /** Creates a store under another persistence id, so that tests sharing one journal do not share a store. */
  static Behavior<Command> create(PersistenceId persistenceId, Clock clock, int snapshotEvery) {
    return Behaviors.setup(context -> new GuidelinesStore(persistenceId, clock, snapshotEvery, context));
  }

  /** Starts the store as a cluster singleton and returns a proxy to it that works on every node. */
  public static ActorRef<Command> init(ActorSystem<?> system, Clock clock, int snapshotEvery) {
    Behavior<Command> behavior = Behaviors.supervise(create(clock, snapshotEvery))
        .onFailure(JournalBackoff.strategy(system));
    return ClusterSingleton.get(system).init(SingletonActor.of(behavior, "judge-guidelines"));
  }

  @Override
  public State emptyState() {
    return new State(Guidelines.EMPTY);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Events stay: they are the history of the guidelines, and there are few of them.
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(GetGuidelines.class, (state, command) ->
            Effect().reply(command.replyTo(), new Current(state.guidelines())))
        .onCommand(AddGuideline.class, (state, command) -> {
          int version = state.guidelines().version() + 1;
          Guidelines.Guideline guideline =
              new Guidelines.Guideline("g-" + version, command.text(), command.source(), clock.instant());
          context.getLog().info("judge guideline [{}] added from [{}]; guidelines are now at version [{}]",
              guideline.id(), guideline.source(), version);
          return Effect()
              .persist(new GuidelineAdded(guideline, version))
              .thenReply(command.replyTo(), s -> new Current(s.guidelines()));
        })
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state ->
            context.getLog().info("judge guidelines started at version [{}]", state.guidelines().version()))
        .onSignal(PostStop.instance(), state -> context.getLog().info("judge guidelines store stopped"))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(GuidelineAdded.class, (state, event) -> {
          List<Guidelines.Guideline> items = new ArrayList<>(state.guidelines().items());
          items.add(event.guideline());
          return new State(new Guidelines(event.version(), items));
        })
        .build();
  }
}
