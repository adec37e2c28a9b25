package app;

import agent.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fleet-sre bench NAME}: benchmarks on a simulated fleet; progress goes to stderr, one JSON line of figures to stdout. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Runs a benchmark on a simulated fleet. Progress goes to stderr; the figures go to stdout as one JSON line.",
    subcommands = {BenchCommand.Dispatch.class, BenchCommand.Storm.class})
final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  private static int print(ObjectNode figures) throws Exception {
    System.out.println(Json.mapper().writeValueAsString(figures));
    return 0;
  }

  private static int positive(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
    return value;
  }

  @Command(name = "dispatch", mixinStandardHelpOptions = true,
      description = "Pushes commands for a simulated fleet straight into the command pipeline (no incidents) and "
          + "measures throughput against min(rate, max-in-flight / mean latency) and CPU time per command.")
  static final class Dispatch implements Callable<Integer> {

    @Option(names = "--commands", defaultValue = "200000", description = "Commands measured (default: ${DEFAULT-VALUE}).")
    int commands;

    @Option(names = "--warmup", defaultValue = "20000",
        description = "Commands run before the measurement, not counted (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--hosts", defaultValue = "90000", description = "Hosts of the simulated fleet (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--max-in-flight", defaultValue = "2000",
        description = "Commands in flight at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--rate", defaultValue = "20000", description = "Command starts per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency", defaultValue = "50ms",
        description = "Mean command latency, e.g. 50ms (default: ${DEFAULT-VALUE}).")
    String latency;

    @Option(names = "--p99", paramLabel = "DURATION",
        description = "99th percentile latency; makes the latency log-normal with the mean of --latency (default: fixed).")
    String p99;

    @Option(names = "--queue-size", defaultValue = "10000",
        description = "Commands waiting in the pipeline's queue (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Override
    public Integer call() throws Exception {
      Duration mean = Durations.parse("--latency", latency);
      if (mean.isZero()) {
        throw new IllegalArgumentException("--latency must be above zero, got " + latency);
      }
      return print(DispatchBench.run(new DispatchBench.Parameters(positive("--commands", commands), Math.max(0, warmup),
          positive("--hosts", hosts), positive("--max-in-flight", maxInFlight), positive("--rate", rate), mean,
          p99 == null ? null : Durations.parse("--p99", p99), positive("--queue-size", queueSize))));
    }
  }

  @Command(name = "storm", mixinStandardHelpOptions = true,
      description = "Starts an engine on a simulated fleet, posts one Alertmanager alert per host over HTTP on "
          + "127.0.0.1 and measures alerts accepted per second, the time until every insight is written, heap use "
          + "and lost alerts (accepted without an insight).")
  static final class Storm implements Callable<Integer> {

    @Option(names = "--hosts", defaultValue = "90000", description = "Alerts posted, one per host (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--concurrency", defaultValue = "32",
        description = "HTTP requests in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-in-flight", defaultValue = "256",
        description = "The engine's commands in flight at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--rate", defaultValue = "5000",
        description = "The engine's command starts per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--queue-size", defaultValue = "20000",
        description = "The engine's command queue (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--passivation", defaultValue = "30s",
        description = "Idle time after which an incident is stopped and its memory freed (default: ${DEFAULT-VALUE}).")
    String passivation;

    @Option(names = "--latency", defaultValue = "50ms",
        description = "Median command latency of the simulated fleet (default: ${DEFAULT-VALUE}).")
    String latency;

    @Option(names = "--p99", defaultValue = "400ms",
        description = "99th percentile command latency (default: ${DEFAULT-VALUE}).")
    String p99;

    @Option(names = "--access-log-lines", defaultValue = "200",
        description = "Lines in each simulated access log; parsing them is a large CPU cost per incident "
            + "(default: ${DEFAULT-VALUE}).")
    int accessLogLines;

    @Option(names = "--insights-dir", paramLabel = "DIR",
        description = "Directory for the temporary JSON Lines file (default: the system temporary directory). The "
            + "sink forces each insight to disk, so the file system's fsync time limits insights per second.")
    java.nio.file.Path insightsDir;

    @Option(names = "--timeout", defaultValue = "30m",
        description = "How long to wait for all insights (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--audit-log", description = "Keep the audit log on stderr (two lines per command); off by default.")
    boolean auditLog;

    @Override
    public Integer call() throws Exception {
      return print(StormBench.run(new StormBench.Parameters(positive("--hosts", hosts),
          positive("--concurrency", concurrency), positive("--max-in-flight", maxInFlight), positive("--rate", rate),
          positive("--queue-size", queueSize), Durations.parse("--passivation", passivation),
          Durations.parse("--latency", latency), Durations.parse("--p99", p99),
          positive("--access-log-lines", accessLogLines), insightsDir, Durations.parse("--timeout", timeout),
          auditLog)));
    }
  }
}
