package app;

import actors.AlertIntake;
import actors.IncidentState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for an incident to finish its work, for the commands that run one incident to its end. */
final class IncidentWatch {

  private static final long POLL_MILLIS = 200;

  private IncidentWatch() {}

  /** Whether the incident has nothing left to do: its insight delivered, held for review, or the incident closed. */
  static boolean finished(IncidentState state) {
    return switch (state.phase()) {
      case PUBLISHED -> state.delivered();
      case AWAITING_REVIEW, CLOSED -> true;
      default -> false;
    };
  }

  /** Polls the incident until it has finished; throws when the timeout passes first. */
  static IncidentState awaitFinished(AlertIntake intake, String incidentId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    IncidentState state = intake.details(incidentId).toCompletableFuture().get(30, TimeUnit.SECONDS);
    while (!finished(state)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("incident [" + incidentId + "] did not finish within " + timeout
            + "; it is in state [" + state.phase() + "]");
      }
      Thread.sleep(POLL_MILLIS);
      state = intake.details(incidentId).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return state;
  }
}
