package fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One diagnostic command to run on one host.
 *
 * @param commandId unique id, also the idempotency key when a command is dispatched again after a restart
 * @param incidentId incident that asked for it
 * @param host inventory name of the target host
 * @param argv program and arguments; never joined into a shell string except by {@link ShellQuoting}
 * @param analyzer name of the analyzer that parses the output, or {@code "raw"}
 * @param params the analyzer's parameters, kept for the transcript
 * @param purpose one line for the transcript: why this command runs
 * @param timeout how long the command may run before it is cancelled
 */
public record CommandRequest(
    String commandId,
    String incidentId,
    String host,
    List<String> argv,
    String analyzer,
    JsonNode params,
    String purpose,
    Duration timeout) {

  public CommandRequest {
    Objects.requireNonNull(commandId, "commandId must not be null");
    Objects.requireNonNull(host, "host must not be null");
    Objects.requireNonNull(timeout, "timeout must not be null");
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must not be empty");
    }
  }
}
