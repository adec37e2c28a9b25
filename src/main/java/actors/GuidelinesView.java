package actors;

import agent.Guidelines;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's cached copy of the judge guidelines, so a judge reads them without a message to the
 * store. The copy is refreshed from the {@link GuidelinesStore} every {@code refresh-interval} and at
 * once after a change made through this node; a change made through another node shows here within
 * one interval. A newer version always replaces an older one, never the reverse.
 */
public final class GuidelinesView implements Guidelines.Source {

  private static final Logger LOG = LoggerFactory.getLogger(GuidelinesView.class);

  private final ActorSystem<?> system;
  private final ActorRef<GuidelinesStore.Command> store;
  private final Duration askTimeout;
  private final AtomicReference<Guidelines> current = new AtomicReference<>(Guidelines.EMPTY);

  public GuidelinesView(ActorSystem<?> system, ActorRef<GuidelinesStore.Command> store, Duration askTimeout) {
    this.system = system;
    this.store = store;
    this.askTimeout = askTimeout;
  }

  /** Refreshes the copy now and then every {@code interval}. */
  public void startRefreshing(Duration interval) {
    refresh();
    system.scheduler().scheduleWithFixedDelay(interval, interval, this::refresh, system.executionContext());
  }

  @Override
  public Guidelines current() {
    return current.get();
  }

  /** Asks the store for the guidelines in force and keeps them when they are newer. */
  public CompletionStage<Guidelines> refresh() {
    return AskPattern.<GuidelinesStore.Command, GuidelinesStore.Current>ask(store, GuidelinesStore.GetGuidelines::new,
            askTimeout, system.scheduler())
        .thenApply(reply -> keep(reply.guidelines()))
        .whenComplete((guidelines, failure) -> {
          if (failure != null) {
            LOG.warn("judge guidelines not refreshed; keeping version [{}]: {}", current().version(), failure.toString());
          }
        });
  }

  /** Adds a guideline through the store, keeps the new version here at once and completes with it. */
  public CompletionStage<Guidelines> add(String text, String source) {
    return AskPattern.<GuidelinesStore.Command, GuidelinesStore.Current>ask(store,
            replyTo -> new GuidelinesStore.AddGuideline(text, source, replyTo), askTimeout, system.scheduler())
        .thenApply(reply -> {
          keep(reply.guidelines());
          return reply.guidelines();
        });
  }

  private Guidelines keep(Guidelines fresh) {
    return current.accumulateAndGet(fresh, (old, candidate) -> candidate.version() > old.version() ? candidate : old);
  }
}
