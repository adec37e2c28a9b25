package fleet;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches each command to the runner that {@link HostEntry#runner()} names: {@code local} or
 * {@code ssh}. Owns both runners and closes them together.
 */
public final class Runners implements CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(Runners.class);

  private final CommandRunner local;
  private final CommandRunner ssh;

  /**
   * @param local runs commands for hosts with {@code runner = local}, normally a {@link LocalRunner}
   * @param ssh runs commands for hosts with {@code runner = ssh}, normally an {@link SshRunner}
   */
  public Runners(CommandRunner local, CommandRunner ssh) {
    this.local = local;
    this.ssh = ssh;
  }

  @Override
  public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
    CommandRunner runner = switch (host.runner()) {
      case "local" -> local;
      case "ssh" -> ssh;
      default -> null;
    };
    if (runner == null) {
      return failed(request, host, "invalid runner [" + host.runner() + "] for host " + host.name() + "; expected local or ssh");
    }
    try {
      return runner.run(request, host, outputCapBytes);
    } catch (RuntimeException e) {
      // CommandRunner.run must not throw, but a faulty runner must not break the caller either.
      LOG.error("command [{}] of incident [{}] on host [{}]: runner [{}] threw",
          request.commandId(), request.incidentId(), host.name(), host.runner(), e);
      return CompletableFuture.completedFuture(
          CommandOutput.failed(CommandOutput.Outcome.FAILED, "runner failed: " + e, Duration.ZERO));
    }
  }

  /** Closes both runners. A failure to close one is logged and does not keep the other open. */
  @Override
  public void close() {
    closeLogged("local", local);
    closeLogged("ssh", ssh);
  }

  private static void closeLogged(String name, CommandRunner runner) {
    try {
      runner.close();
    } catch (RuntimeException e) {
      LOG.error("failed to close the [{}] runner", name, e);
    }
  }

  private static CompletionStage<CommandOutput> failed(CommandRequest request, HostEntry host, String error) {
    LOG.error("command [{}] of incident [{}] on host [{}] not run: {}",
        request.commandId(), request.incidentId(), host.name(), error);
    return CompletableFuture.completedFuture(CommandOutput.failed(CommandOutput.Outcome.FAILED, error, Duration.ZERO));
  }
}
