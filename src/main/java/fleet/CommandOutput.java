package fleet;

import java.time.Duration;

/**
 * What a runner brought back from one command, before analysis.
 *
 * @param outcome how the command ended
 * @param exitCode the process exit code, or -1 when there is none (timeout, unreachable host)
 * @param stdout standard output, decoded as UTF-8 and cut at the configured output cap
 * @param stderr standard error, cut at the same cap
 * @param truncated whether either stream was cut at the cap
 * @param duration wall-clock time from dispatch to completion
 * @param error a one-line reason when the outcome is not {@link Outcome#EXITED}, else empty
 */
public record CommandOutput(
    Outcome outcome,
    int exitCode,
    String stdout,
    String stderr,
    boolean truncated,
    Duration duration,
    String error) {

  /** How a command ended. Only {@code EXITED} means the program ran; its exit code may still be non-zero. */
  public enum Outcome {
    EXITED,
    TIMED_OUT,
    UNREACHABLE,
    AUTH_FAILED,
    HOST_KEY_REJECTED,
    NOT_IN_INVENTORY,
    FAILED
  }

  public static CommandOutput exited(int exitCode, String stdout, String stderr, boolean truncated, Duration duration) {
    return new CommandOutput(Outcome.EXITED, exitCode, stdout, stderr, truncated, duration, "");
  }

  public static CommandOutput failed(Outcome outcome, String error, Duration duration) {
    return new CommandOutput(outcome, -1, "", "", false, duration, error);
  }

  public boolean succeeded() {
    return outcome == Outcome.EXITED && exitCode == 0;
  }
}
