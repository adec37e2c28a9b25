package fleet;

import java.util.concurrent.CompletionStage;

/**
 * Runs one command on one host. Implementations never pass argv through a local shell, never
 * throw from {@link #run}, and report every failure as a {@link CommandOutput} outcome.
 */
public interface CommandRunner extends AutoCloseable {

  /**
   * Runs the command and completes with its output, cut at {@code outputCapBytes} per stream.
   * The returned stage completes (with {@link CommandOutput.Outcome#TIMED_OUT}) once the
   * request's timeout has passed, and the command is then cancelled.
   */
  CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes);

  @Override
  default void close() {}
}
