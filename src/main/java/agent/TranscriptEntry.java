package agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One command of an investigation as it is kept in the incident: what ran, how it ended, a
 * redacted excerpt of its output and what the analyzer found in the full output.
 *
 * @param step the investigation step that planned the command, from 1
 * @param commandId unique id of the command
 * @param analyzer the analyzer that rendered the command and parsed its output, or {@code raw}
 * @param argv the command as dispatched
 * @param purpose why it ran
 * @param status {@code rejected} (by the command policy), {@code pending}, or the runner outcome in lower case
 * @param exitCode process exit code, -1 when the program did not run to an exit
 * @param durationMillis wall-clock duration
 * @param output redacted excerpt of stdout (and stderr when stdout is empty), cut at the transcript cap
 * @param truncated whether the output was cut, at the runner or at the transcript cap
 * @param detail the policy's reason for a rejection, or the runner's error, else empty
 * @param findings structured result of the analyzer, or an empty object
 */
public record TranscriptEntry(
    int step,
    String commandId,
    String analyzer,
    List<String> argv,
    String purpose,
    String status,
    int exitCode,
    long durationMillis,
    String output,
    boolean truncated,
    String detail,
    JsonNode findings) {

  public TranscriptEntry {
    // Jackson reads a JSON null into a JsonNode field as NullNode. Recovered entries must compare
    // equal to the ones recorded before the restart.
    if (findings != null && findings.isNull()) {
      findings = null;
    }
  }

  public static final String REJECTED = "rejected";
  public static final String PENDING = "pending";

  public boolean completed() {
    return !status.equals(PENDING);
  }

  public boolean ranToExit() {
    return status.equals("exited");
  }
}
