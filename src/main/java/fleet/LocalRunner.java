package fleet;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on this machine, one process per command, started from argv with no shell.
 *
 * <p>At most {@code threads} commands run at once: each running command takes one thread that
 * reads its stdout and one from a second pool of the same size that reads its stderr, so a
 * stderr reader never waits for a thread. Further commands queue, and their timeout runs from
 * the call to {@link #run}. Both streams are read to the end and kept up to the cap, so a
 * process never blocks on a full pipe.
 *
 * <p>A program that cannot be started ends as {@code EXITED} with exit code 127 (not found) or 126
 * (not executable) and the reason on stderr, which is what a shell on a remote host reports.
 */
public final class LocalRunner implements CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);
  private static final File NO_INPUT = new File("/dev/null");

  private final ExecutorService stdoutReaders;
  private final ExecutorService stderrReaders;
  private final ScheduledThreadPoolExecutor timer;
  private final Set<Execution> active = ConcurrentHashMap.newKeySet();

  /**
   * @param threads how many commands may run at once; each takes two threads while it runs
   */
  public LocalRunner(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    stdoutReaders = Executors.newFixedThreadPool(threads, daemonThreads("local-runner-stdout-"));
    stderrReaders = Executors.newFixedThreadPool(threads, daemonThreads("local-runner-stderr-"));
    timer = new ScheduledThreadPoolExecutor(1, daemonThreads("local-runner-timer-"));
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
    long startNanos = System.nanoTime();
    if (outputCapBytes < 0) {
      String error = "invalid output cap [" + outputCapBytes + "]: must not be negative";
      LOG.error("command [{}] of incident [{}] on host [{}] not started: {}",
          request.commandId(), request.incidentId(), host.name(), error);
      return CompletableFuture.completedFuture(CommandOutput.failed(CommandOutput.Outcome.FAILED, error, Duration.ZERO));
    }

    Execution execution = new Execution(request, host, outputCapBytes, startNanos);
    active.add(execution);
    execution.result.whenComplete((output, error) -> active.remove(execution));
    try {
      ScheduledFuture<?> deadline = timer.schedule(execution::timeOut, request.timeout().toNanos(), TimeUnit.NANOSECONDS);
      execution.result.whenComplete((output, error) -> deadline.cancel(false));
      stdoutReaders.execute(execution::start);
    } catch (RejectedExecutionException e) {
      execution.fail("runner is closed", null);
    }
    return execution.result;
  }

  /** Stops the threads, kills every running process tree and fails every command not yet finished. */
  @Override
  public void close() {
    // Abort first, so that a command caught between two steps reports the close and not a rejected task.
    for (Execution execution : List.copyOf(active)) {
      execution.abort();
    }
    stdoutReaders.shutdownNow();
    stderrReaders.shutdownNow();
    timer.shutdownNow();
  }

  /** One command from {@link #run} until its result is complete. */
  private final class Execution extends CommandExecution {
    private Process process; // guarded by this
    private boolean stopped; // guarded by this: timed out or aborted, so a late start must not run

    Execution(CommandRequest request, HostEntry host, int outputCapBytes, long startNanos) {
      super(request, host, outputCapBytes, startNanos);
    }

    /** Starts the process and reads its stdout on this thread until the process closes it. */
    void start() {
      Process started;
      synchronized (this) {
        if (stopped) {
          return;
        }
        try {
          started = new ProcessBuilder(request.argv()).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT)).start();
        } catch (IOException e) {
          notStarted(e);
          return;
        }
        process = started;
      }
      LOG.debug("command [{}] of incident [{}] on host [{}] started as pid [{}]",
          request.commandId(), request.incidentId(), host.name(), started.pid());

      try {
        Future<?> stderrReader = stderrReaders.submit(() -> copy(started.getErrorStream(), stderr));
        copy(started.getInputStream(), stdout);
        stderrReader.get();
        int exitCode = started.waitFor();
        result.complete(CommandOutput.exited(exitCode, stdout.text(), stderr.text(), truncated(), elapsed()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        destroyTree(started);
        fail("runner was stopped while the command ran", null);
      } catch (ExecutionException | RejectedExecutionException e) {
        destroyTree(started);
        fail("failed to read stderr: " + e.getMessage(), e);
      }
    }

    /** Kills the process tree once the request's timeout has passed and completes with the output so far. */
    void timeOut() {
      Process running = stop();
      String error = "timed out after " + request.timeout().toMillis() + " ms";
      // Complete before the kill: once killed, the reader thread would see end of stream and report EXITED.
      boolean completed = result.complete(new CommandOutput(
          CommandOutput.Outcome.TIMED_OUT, -1, stdout.text(), stderr.text(), truncated(), elapsed(), error));
      if (running != null) {
        destroyTree(running);
      }
      if (completed) {
        LOG.warn("command [{}] of incident [{}] on host [{}] {}; process tree killed",
            request.commandId(), request.incidentId(), host.name(), error);
      }
    }

    void abort() {
      Process running = stop();
      fail("runner closed before the command finished", null);
      if (running != null) {
        destroyTree(running);
      }
    }

    /** Completes as {@code FAILED}; {@code unexpected} is logged with its stack trace when not null. */
    void fail(String error, Throwable unexpected) {
      stop();
      if (result.complete(CommandOutput.failed(CommandOutput.Outcome.FAILED, error, elapsed()))) {
        LOG.error("command [{}] of incident [{}] on host [{}] failed: {}",
            request.commandId(), request.incidentId(), host.name(), error, unexpected);
      }
    }

    private synchronized Process stop() {
      stopped = true;
      return process;
    }


    /**
     * Reports a program that could not be started the way a shell on a remote host does over SSH:
     * exit code 127 when it is not installed and 126 when it is not executable, with the reason
     * on stderr. Analyzers then read "not installed" the same way for both runners.
     */
    private void notStarted(IOException e) {
      String program = request.argv().get(0);
      String message = String.valueOf(e.getMessage());
      // The JDK reports the errno of the failed exec in the message, e.g. "error=2, No such file or directory".
      int exitCode;
      String error;
      if (message.contains("error=2,")) {
        exitCode = 127;
        error = "program not found: " + program;
      } else if (message.contains("error=13,")) {
        exitCode = 126;
        error = "program is not executable: " + program;
      } else {
        fail("failed to start program " + program + ": " + message, e);
        return;
      }
      stop();
      LOG.warn("command [{}] of incident [{}] on host [{}] not started: {}",
          request.commandId(), request.incidentId(), host.name(), error);
      result.complete(CommandOutput.exited(exitCode, "", "fleet-sre: " + error + "\n", false, elapsed()));
    }
  }

  /** Copies {@code in} to {@code out} until end of stream. A read error ends the copy, because the process is then gone. */
  private static Void copy(InputStream in, OutputStream out) {
    byte[] buffer = new byte[8192];
    try (in) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      LOG.debug("process stream closed while reading: {}", e.toString());
    }
    return null;
  }

  /**
   * Kills the process and every descendant. The descendants are listed first, because once the
   * parent dies they are re-parented and no longer show up as its descendants.
   *
   * <p>NOTE: a descendant that detached itself before the kill (a daemon that re-parented to
   * init) survives, and if it keeps the output pipe open, its reader thread stays blocked.
   */
  private static void destroyTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    for (ProcessHandle descendant : descendants) {
      descendant.destroyForcibly();
    }
    process.destroyForcibly();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
