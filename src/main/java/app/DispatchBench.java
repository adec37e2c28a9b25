package app;

import agent.Analyzers;
import agent.Json;
import agent.ResultAnalysis;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import fleet.CommandRequest;
import fleet.HostEntry;
import fleet.Inventory;
import fleet.SimulatedRunner;
import fleet.SimulatedSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import streams.CommandPipeline;
import streams.ExecutionSettings;

/**
 * {@code bench dispatch}: pushes commands for a simulated fleet straight into the real
 * {@link CommandPipeline}, without incidents, and measures how close the pipeline comes to its
 * theoretical throughput, min(rate, max-in-flight / mean latency), and the CPU it spends per command.
 * Every command is {@code cat /proc/loadavg}, parsed by the real load analyzer.
 */
final class DispatchBench {

  private static final Logger LOG = LoggerFactory.getLogger(DispatchBench.class);

  /** Share of completions left out at each end of the steady-state window. */
  static final double STEADY_MARGIN = 0.05;

  /**
   * Parameters of one run.
   *
   * @param commands commands measured
   * @param warmupCommands commands run first and not measured, so the JIT has compiled the hot paths
   * @param hosts size of the simulated fleet; commands go to its hosts in turn
   * @param maxInFlight the pipeline's cap on commands in flight
   * @param ratePerSecond the pipeline's rate of command starts
   * @param latency mean command latency
   * @param p99 99th percentile of a log-normal latency, or null for a fixed latency
   * @param queueSize the pipeline's queue
   */
  record Parameters(int commands, int warmupCommands, int hosts, int maxInFlight, int ratePerSecond, Duration latency,
      Duration p99, int queueSize) {}

  private DispatchBench() {}

  static ObjectNode run(Parameters parameters) throws InterruptedException {
    SimulatedSettings simulated = simulatedSettings(parameters);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "fleet-sre-bench",
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
            .withFallback(ConfigFactory.defaultReference()));
    SimulatedRunner runner = new SimulatedRunner(simulated, Clock.systemUTC());
    ExecutionSettings execution = new ExecutionSettings(parameters.maxInFlight(), 1, parameters.ratePerSecond(),
        parameters.queueSize(), 0.8, 1 << 20);
    Inventory inventory = new Inventory(Map.of(),
        Optional.of(new HostEntry("", "simulated", "", 22, "diag", null, null)));
    CommandPipeline pipeline = CommandPipeline.start(system, execution, inventory, runner,
        new ResultAnalysis(Analyzers.standard(), 4096));
    try {
      if (parameters.warmupCommands() > 0) {
        System.err.printf(Locale.ROOT, "dispatch: warming up with %d commands%n", parameters.warmupCommands());
        push(pipeline, runner, parameters, "warmup", parameters.warmupCommands(), new AtomicLong(),
            new long[parameters.warmupCommands()]);
      }
      AtomicLong completed = new AtomicLong();
      long[] completionNanos = new long[parameters.commands()];
      long cpuBefore = BenchProgress.processCpuNanos();
      long started = System.nanoTime();
      try (BenchProgress progress = new BenchProgress("dispatch",
          () -> String.format(Locale.ROOT, "%d/%d commands done, %d queued", completed.get(), parameters.commands(),
              pipeline.queued()))) {
        push(pipeline, runner, parameters, "measured", parameters.commands(), completed, completionNanos);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long cpuNanos = BenchProgress.processCpuNanos() - cpuBefore;

      double meanLatencySeconds = simulated.meanLatency().toNanos() / 1e9;
      double limit = limitPerSecond(parameters, meanLatencySeconds);
      double achieved = steadyRate(completionNanos);
      ObjectNode figures = Json.mapper().createObjectNode();
      figures.put("bench", "dispatch");
      figures.put("commands", parameters.commands());
      figures.put("warmupCommands", parameters.warmupCommands());
      figures.put("hosts", parameters.hosts());
      figures.put("maxInFlight", parameters.maxInFlight());
      figures.put("ratePerSecond", parameters.ratePerSecond());
      figures.put("latency", simulated.distribution() == SimulatedSettings.Distribution.FIXED ? "fixed" : "log-normal");
      figures.put("meanLatencyMillis", round(meanLatencySeconds * 1000, 2));
      figures.put("seconds", round(seconds, 3));
      figures.put("overallPerSecond", round(parameters.commands() / seconds, 1));
      figures.put("achievedPerSecond", round(achieved, 1));
      figures.put("limitPerSecond", round(limit, 1));
      figures.put("efficiency", round(achieved / limit, 4));
      figures.put("cpuMicrosPerCommand", round(cpuNanos / 1000.0 / parameters.commands(), 2));
      figures.put("availableProcessors", Runtime.getRuntime().availableProcessors());
      return figures;
    } finally {
      pipeline.close();
      runner.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  /**
   * Returns the theoretical throughput: the rate, or the slots in flight over the mean latency,
   * whichever is lower. The slots are the max-in-flight cap, or the hosts when there are fewer
   * hosts than that, because each host runs one command at a time.
   */
  static double limitPerSecond(Parameters parameters, double meanLatencySeconds) {
    int slots = Math.min(parameters.maxInFlight(), parameters.hosts());
    return Math.min(parameters.ratePerSecond(), slots / meanLatencySeconds);
  }

  /**
   * Returns the completion rate between the first and the last {@link #STEADY_MARGIN} of the
   * completions, so neither the ramp-up nor the drain counts. The drain matters with a heavy-tailed
   * latency: the last commands started can take seconds (about 2.6 s for the slowest of 20,000
   * draws at mean 50 ms and p99 400 ms), while the pipeline is no longer loaded.
   */
  static double steadyRate(long[] completionNanos) {
    long[] sorted = completionNanos.clone();
    Arrays.sort(sorted);
    int first = (int) (sorted.length * STEADY_MARGIN);
    int last = sorted.length - 1 - first;
    if (last <= first || sorted[last] == sorted[first]) {
      throw new IllegalArgumentException("too few completions (" + sorted.length + ") to measure a steady rate");
    }
    return (last - first) / ((sorted[last] - sorted[first]) / 1e9);
  }

  /**
   * Dispatches {@code count} commands, waiting briefly whenever the queue is full, and returns once
   * all have results. The time of the n-th completion goes into {@code completionNanos[n]}.
   */
  private static void push(CommandPipeline pipeline, SimulatedRunner runner, Parameters parameters, String label,
      int count, AtomicLong completed, long[] completionNanos) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(count);
    List<String> argv = List.of("cat", "/proc/loadavg");
    // Hosts come in turn, so one host has a second command only after the whole fleet had one.
    for (int i = 0; i < count; i++) {
      String host = runner.hostName(1 + i % parameters.hosts());
      CommandRequest request = new CommandRequest(label + "-" + i, "bench-" + label, host, argv, "load", null,
          "dispatch benchmark", Duration.ofSeconds(30));
      while (!pipeline.dispatch(request, result -> {
        completionNanos[(int) completed.getAndIncrement()] = System.nanoTime();
        done.countDown();
      })) {
        LockSupport.parkNanos(200_000);
      }
    }
    if (!done.await(10, TimeUnit.MINUTES)) {
      LOG.error("dispatch benchmark [{}]: [{}] of [{}] commands had no result after 10 minutes", label,
          done.getCount(), count);
      throw new IllegalStateException(done.getCount() + " of " + count + " commands had no result after 10 minutes");
    }
  }

  /**
   * Returns a fleet without failures whose mean latency is {@code latency}: fixed, or log-normal with the
   * given p99 and the median that gives that mean.
   */
  static SimulatedSettings simulatedSettings(Parameters parameters) {
    Duration mean = parameters.latency();
    if (parameters.p99() == null) {
      return new SimulatedSettings(parameters.hosts(), 1, SimulatedSettings.Distribution.FIXED, mean, mean, 0, 0, 100, 2);
    }
    // With mu = ln(median): ln(p99) = mu + z * sigma and ln(mean) = mu + sigma^2 / 2, so
    // sigma^2 / 2 - z * sigma + ln(p99 / mean) = 0; the smaller root is the distribution with that mean.
    double z = 2.3263478740408408;
    double logRatio = Math.log((double) parameters.p99().toNanos() / mean.toNanos());
    double discriminant = z * z - 2 * logRatio;
    if (logRatio <= 0 || discriminant < 0) {
      throw new IllegalArgumentException("--p99 " + parameters.p99() + " does not fit a log-normal latency with mean "
          + mean + "; expected a p99 above the mean and below mean * e^(z^2 / 2), about 15 times the mean");
    }
    double sigma = z - Math.sqrt(discriminant);
    Duration median = Duration.ofNanos(Math.round(mean.toNanos() / Math.exp(sigma * sigma / 2)));
    return new SimulatedSettings(parameters.hosts(), 1, SimulatedSettings.Distribution.LOG_NORMAL, median,
        parameters.p99(), 0, 0, 100, 2);
  }

  static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
