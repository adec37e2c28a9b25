package actors;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * Restart policy of the engine's event-sourced actors after their journal failed to persist or to
 * recover an event, for example when the journal's circuit breaker opened under load. Without it
 * Pekko stops the actor, and an incident stopped that way waits until something wakes it.
 */
final class JournalBackoff {

  static final String PATH = "fleet-sre.persistence.restart-backoff";

  private JournalBackoff() {}

  /** Returns the restart-with-backoff strategy configured at {@value #PATH}. */
  static BackoffSupervisorStrategy strategy(ActorSystem<?> system) {
    Config backoff = system.settings().config().getConfig(PATH);
    return SupervisorStrategy.restartWithBackoff(
        backoff.getDuration("min"), backoff.getDuration("max"), backoff.getDouble("random-factor"));
  }
}
