package app;

import agent.Analyzers;
import agent.ResultAnalysis;
import fleet.CommandRequest;
import fleet.HostEntry;
import fleet.Inventory;
import fleet.SshRunner;
import fleet.SshSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import streams.CommandPipeline;
import streams.ExecutionSettings;

/**
 * The fleet-sre side of {@code bench ssh}: commands go through the real {@link CommandPipeline}
 * to a real {@link SshRunner}, with the settings of {@code fleet-sre.execution} and
 * {@code fleet-sre.ssh}. {@link #open} starts a runner with no session open, so the first pass
 * after it includes connection setup, and later passes reuse the sessions.
 */
final class FleetSreSshLoad implements AutoCloseable {

  private final List<HostEntry> hosts;
  private final SshRunner runner;
  private final CommandPipeline pipeline;
  private final AtomicLong completed;

  private FleetSreSshLoad(List<HostEntry> hosts, SshRunner runner, CommandPipeline pipeline, AtomicLong completed) {
    this.hosts = hosts;
    this.runner = runner;
    this.pipeline = pipeline;
    this.completed = completed;
  }

  /**
   * Starts a pipeline and an SSH runner with {@code runnerThreads} threads for {@code hosts}.
   *
   * @param completed counts every finished command, for the progress line
   */
  static FleetSreSshLoad open(ActorSystem<?> system, ExecutionSettings execution, SshSettings ssh, int runnerThreads,
      List<HostEntry> hosts, AtomicLong completed) {
    Map<String, HostEntry> byName = new LinkedHashMap<>();
    hosts.forEach(host -> byName.put(host.name(), host));
    SshRunner runner = new SshRunner(ssh, runnerThreads);
    CommandPipeline pipeline = CommandPipeline.start(system, execution, new Inventory(byName, Optional.empty()),
        runner, new ResultAnalysis(Analyzers.standard(), 4096));
    return new FleetSreSshLoad(List.copyOf(hosts), runner, pipeline, completed);
  }

  /**
   * Dispatches {@code commandsPerHost} copies of {@code argv} to every host, all at once (the
   * pipeline runs one at a time per host when max-in-flight-per-host is 1), and waits for every
   * result. A command counts as failed unless it exited with status 0.
   */
  SshBenchMeasurement run(String mode, int round, List<String> argv, int commandsPerHost, Duration commandTimeout,
      Duration passTimeout) throws InterruptedException {
    int count = hosts.size() * commandsPerHost;
    CountDownLatch done = new CountDownLatch(count);
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>("");
    long started = System.nanoTime();
    for (int repeat = 0; repeat < commandsPerHost; repeat++) {
      for (HostEntry host : hosts) {
        String id = "ssh-bench-" + mode + "-" + round + "-" + repeat + "-" + host.name();
        CommandRequest request = new CommandRequest(id, "bench-ssh", host.name(), argv, "raw", null,
            "ssh benchmark", commandTimeout);
        while (!pipeline.dispatch(request, result -> {
          if (!result.status().equals("exited") || result.exitCode() != 0) {
            failed.incrementAndGet();
            firstError.compareAndSet("", result.host() + ": " + result.status() + " (exit code " + result.exitCode()
                + ") " + result.detail());
          }
          completed.incrementAndGet();
          done.countDown();
        })) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the queue is full
        }
      }
    }
    if (!done.await(passTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      failed.addAndGet(done.getCount());
      firstError.compareAndSet("", done.getCount() + " commands had no result after " + passTimeout.toSeconds() + " s");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new SshBenchMeasurement("fleet-sre", mode, round, count, failed.get(), seconds, firstError.get());
  }

  /** Stops the pipeline and the runner, which closes every SSH session. */
  @Override
  public void close() {
    pipeline.close();
    runner.close();
  }
}
