package fleet;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches each command to the runner that {@link HostEntry#runner()} names: {@code local},
 * {@code ssh} or {@code simulated}. Owns the runners and closes them together.
 */
public final class Runners implements CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(Runners.class);

  private final CommandRunner local;
  private final CommandRunner ssh;
  private final CommandRunner simulated;

  /**
   * Runners without a simulated fleet: a host with {@code runner = simulated} fails.
   *
   * @param local runs commands for hosts with {@code runner = local}, normally a {@link LocalRunner}
   * @param ssh runs commands for hosts with {@code runner = ssh}, normally an {@link SshRunner}
   */
  public Runners(CommandRunner local, CommandRunner ssh) {
    this(local, ssh, null);
  }

  /**
   * @param simulated runs commands for hosts with {@code runner = simulated}, normally a
   *     {@link SimulatedRunner}; null when there is none
   */
  public Runners(CommandRunner local, CommandRunner ssh, CommandRunner simulated) {
    this.local = local;
    this.ssh = ssh;
    this.simulated = simulated;
  }

  @Override
  public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
    CommandRunner runner = switch (host.runner()) {
      case "local" -> local;
      case "ssh" -> ssh;
      case "simulated" -> simulated;
      default -> null;
    };
    if (runner == null) {
      return failed(request, host, "invalid runner [" + host.runner() + "] for host " + host.name()
          + "; expected local, ssh or simulated (when a simulated runner is configured)");
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

  /** Closes the runners. A failure to close one is logged and does not keep the others open. */
  @Override
  public void close() {
    closeLogged("local", local);
    closeLogged("ssh", ssh);
    if (simulated != null) {
      closeLogged("simulated", simulated);
    }
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
