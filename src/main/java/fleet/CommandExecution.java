package fleet;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What a runner keeps for one command from {@link CommandRunner#run} until its result is
 * complete: the request, its capped output streams, its start time and the result to complete.
 */
abstract class CommandExecution {

  final CommandRequest request;
  final HostEntry host;
  final long startNanos;
  final CappedOutputStream stdout;
  final CappedOutputStream stderr;
  final CompletableFuture<CommandOutput> result = new CompletableFuture<>();

  CommandExecution(CommandRequest request, HostEntry host, int outputCapBytes, long startNanos) {
    this.request = request;
    this.host = host;
    this.startNanos = startNanos;
    this.stdout = new CappedOutputStream(outputCapBytes);
    this.stderr = new CappedOutputStream(outputCapBytes);
  }

  /** Whether either output stream was cut at the cap. */
  boolean truncated() {
    return stdout.truncated() || stderr.truncated();
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
