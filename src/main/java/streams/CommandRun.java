package streams;

import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandResult;
import fleet.CommandRunner;
import fleet.HostEntry;
import fleet.Inventory;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command and analyses its output: looks the host up in the inventory, runs the command
 * with the runner the host names and turns the raw output into the result an incident records.
 * Both the in-memory pipeline and the Redis executor run commands through it; their limits are
 * applied before {@link #run} is called.
 */
public final class CommandRun {

  private static final Logger LOG = LoggerFactory.getLogger(CommandRun.class);

  /** Extra time past a command's own timeout before the run gives up on a runner that did not complete. */
  public static final Duration RUNNER_GRACE = Duration.ofSeconds(10);

  private final Inventory inventory;
  private final CommandRunner runner;
  private final OutputAnalysis analysis;
  private final int outputCapBytes;

  public CommandRun(Inventory inventory, CommandRunner runner, OutputAnalysis analysis, int outputCapBytes) {
    this.inventory = inventory;
    this.runner = runner;
    this.analysis = analysis;
    this.outputCapBytes = outputCapBytes;
  }

  /**
   * Runs the command. The returned stage never fails: a runner or analysis failure, or a command
   * that could not be started, completes it with a result of status {@code failed}.
   */
  public CompletionStage<CommandResult> run(CommandRequest request) {
    try {
      return execute(request);
    } catch (RuntimeException e) {
      LOG.error("incident [{}] host [{}]: command [{}] could not be started",
          request.incidentId(), request.host(), request.commandId(), e);
      return CompletableFuture.completedFuture(new CommandResult(request.commandId(), request.incidentId(),
          request.host(), "failed", -1, 0, "", false, "command could not be started: " + e, null));
    }
  }

  private CompletionStage<CommandResult> execute(CommandRequest request) {
    Instant started = Instant.now();
    Optional<HostEntry> host = inventory.lookup(request.host());

    CompletionStage<CommandOutput> output;
    if (host.isEmpty()) {
      output = CompletableFuture.completedFuture(CommandOutput.failed(CommandOutput.Outcome.NOT_IN_INVENTORY,
          "host [" + request.host() + "] is not in the inventory and no default entry is configured", Duration.ZERO));
    } else {
      Duration limit = request.timeout().plus(RUNNER_GRACE);
      output = runner.run(request, host.get(), outputCapBytes)
          .toCompletableFuture()
          .orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    return output
        .exceptionally(failure -> {
          LOG.error("incident [{}] host [{}]: runner failed for command [{}]",
              request.incidentId(), request.host(), request.commandId(), failure);
          return CommandOutput.failed(CommandOutput.Outcome.FAILED, "runner failed: " + failure,
              Duration.between(started, Instant.now()));
        })
        .thenApply(raw -> analysis.analyze(request, raw))
        .exceptionally(failure -> {
          LOG.error("incident [{}] host [{}]: analysis failed for command [{}]",
              request.incidentId(), request.host(), request.commandId(), failure);
          return new CommandResult(request.commandId(), request.incidentId(), request.host(), "failed", -1,
              Duration.between(started, Instant.now()).toMillis(), "", false, "analysis failed: " + failure, null);
        });
  }
}
