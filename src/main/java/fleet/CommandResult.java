package fleet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A finished command as the incident records it: the outcome, a redacted excerpt of the output
 * and the analyzer's findings from the full output. Full output never leaves the executor.
 *
 * @param commandId the command this result belongs to
 * @param incidentId the incident that asked for it
 * @param host the host it ran on
 * @param status the runner outcome in lower case ({@code exited}, {@code timed_out}, {@code unreachable}, ...)
 * @param exitCode process exit code, -1 when the program did not run to an exit
 * @param durationMillis wall-clock duration
 * @param excerpt redacted output excerpt, cut at the transcript cap
 * @param truncated whether any output was cut
 * @param detail the runner's error for outcomes other than {@code exited}, else empty
 * @param findings what the analyzer found in the full output
 */
public record CommandResult(
    String commandId,
    String incidentId,
    String host,
    String status,
    int exitCode,
    long durationMillis,
    String excerpt,
    boolean truncated,
    String detail,
    JsonNode findings) {

  public CommandResult {
    // Jackson reads a JSON null into a JsonNode field as NullNode. Results that crossed nodes or
    // came back from the journal must compare equal to local ones.
    if (findings != null && findings.isNull()) {
      findings = null;
    }
  }
}
