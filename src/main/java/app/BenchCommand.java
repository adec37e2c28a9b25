package app;

import agent.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fleet-sre bench NAME}: benchmarks on a simulated fleet, or over real SSH to loopback
 * sshd instances; progress goes to stderr, one JSON line of figures to stdout.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Runs a benchmark: dispatch or storm on a simulated fleet, ssh against sshd on loopback addresses. "
        + "Progress goes to stderr; the figures go to stdout as one JSON line.",
    subcommands = {BenchCommand.Dispatch.class, BenchCommand.Storm.class, BenchCommand.Ssh.class})
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

  @Command(name = "ssh", mixinStandardHelpOptions = true,
      description = "Starts OpenSSH sshd on loopback addresses 127.0.1.1 upward (bench/ssh/prepare.sh, which installs "
          + "openssh-server and ansible with apt-get when they are missing), runs the same command the same number of "
          + "times per host through fleet-sre's command pipeline and SSH runner and through ansible ad-hoc, and reports "
          + "commands per second of both and their ratio, with and without connection setup. Exits 1 when a command "
          + "failed on either side.")
  static final class Ssh implements Callable<Integer> {

    @Option(names = "--hosts", defaultValue = "100",
        description = "Loopback addresses (hosts), 127.0.1.1 upward, 1 to 25000 (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--port", defaultValue = "22022", description = "sshd port on every address (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--command", defaultValue = "uptime",
        description = "Command run on every host: the argument of ansible's command module, split on spaces into "
            + "fleet-sre's argv (default: ${DEFAULT-VALUE}).")
    String command;

    @Option(names = "--commands-per-host", defaultValue = "5",
        description = "Commands per host in each measured pass; ansible runs one invocation per command "
            + "(default: ${DEFAULT-VALUE}).")
    int commandsPerHost;

    @Option(names = "--warmup-commands-per-host", defaultValue = "1",
        description = "Commands per host in the warm-up pass of each side, not counted; 0 skips it "
            + "(default: ${DEFAULT-VALUE}).")
    int warmupCommandsPerHost;

    @Option(names = "--rounds", defaultValue = "3",
        description = "Rounds; each has a cold and a steady pass per side (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--forks", defaultValue = "64",
        description = "ansible's --forks, hosts handled at once; the default equals fleet-sre's default "
            + "max-in-flight (default: ${DEFAULT-VALUE}).")
    int forks;

    @Option(names = "--max-in-flight", paramLabel = "N",
        description = "fleet-sre's commands in flight at once; the SSH runner gets at least as many threads "
            + "(default: fleet-sre.execution.max-in-flight and ssh-runner-threads, 64 each).")
    Integer maxInFlight;

    @Option(names = "--rate", defaultValue = "10000",
        description = "fleet-sre's command starts per second. The configured default (rate-per-second, 50) would make "
            + "the throttle the limit, so the benchmark raises it (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--ansible-pipelining", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Turn on ansible's ssh pipelining, which saves a file copy per command "
            + "(default: ${DEFAULT-VALUE}).")
    boolean ansiblePipelining;

    @Option(names = "--control-persist", defaultValue = "60s",
        description = "ansible's ControlPersist: how long an idle master connection stays open (default: "
            + "${DEFAULT-VALUE}, ansible's own default).")
    String controlPersist;

    @Option(names = "--ansible", defaultValue = "ansible",
        description = "The ansible program (default: ${DEFAULT-VALUE}).")
    String ansible;

    @Option(names = "--scripts", paramLabel = "DIR",
        description = "Directory of prepare.sh and stop.sh (default: bench/ssh next to the jar's target directory).")
    Path scripts;

    @Option(names = "--config", paramLabel = "FILE",
        description = "HOCON file with fleet-sre settings that override the defaults (fleet-sre.ssh, fleet-sre.execution).")
    java.io.File config;

    @Option(names = "--sshd-max-startups", defaultValue = "100",
        description = "sshd MaxStartups of each sshd instance (16 addresses each): unauthenticated connections at once "
            + "before sshd drops new ones (default: ${DEFAULT-VALUE}).")
    int sshdMaxStartups;

    @Option(names = "--sshd-max-sessions", defaultValue = "10",
        description = "sshd MaxSessions: channels per connection, OpenSSH's default (default: ${DEFAULT-VALUE}).")
    int sshdMaxSessions;

    @Option(names = "--remote-user", defaultValue = "fleet-sre-bench",
        description = "User both clients log in as; prepare.sh creates it with shell /bin/sh when it is missing and "
            + "stop.sh removes it again (default: ${DEFAULT-VALUE}).")
    String remoteUser;

    @Option(names = "--command-timeout", defaultValue = "30s",
        description = "fleet-sre's timeout per command (default: ${DEFAULT-VALUE}).")
    String commandTimeout;

    @Option(names = "--pass-timeout", defaultValue = "10m",
        description = "Maximum time of one fleet-sre pass or one ansible invocation (default: ${DEFAULT-VALUE}).")
    String passTimeout;

    @Override
    public Integer call() throws Exception {
      if (hosts > 25_000) {
        throw new IllegalArgumentException("--hosts must be at most 25000, got " + hosts);
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
      }
      if (command.isBlank()) {
        throw new IllegalArgumentException("--command must not be empty");
      }
      Duration persist = Durations.parse("--control-persist", controlPersist);
      if (persist.toSeconds() < 1) {
        // ssh reads ControlPersist=0 as "keep the master open for ever".
        throw new IllegalArgumentException("--control-persist must be at least 1s, got " + controlPersist);
      }
      SshBench.Parameters parameters = new SshBench.Parameters(positive("--hosts", hosts), port,
          positive("--commands-per-host", commandsPerHost), Math.max(0, warmupCommandsPerHost),
          positive("--rounds", rounds), command, positive("--forks", forks),
          maxInFlight == null ? null : positive("--max-in-flight", maxInFlight), positive("--rate", rate),
          ansiblePipelining, persist, ansible,
          scripts != null ? scripts : defaultScripts(), config, positive("--sshd-max-startups", sshdMaxStartups),
          positive("--sshd-max-sessions", sshdMaxSessions), remoteUser, Durations.parse("--command-timeout", commandTimeout),
          Durations.parse("--pass-timeout", passTimeout));
      ObjectNode figures = SshBench.run(parameters);
      print(figures);
      return figures.get("fleetSreFailed").asLong() + figures.get("ansibleFailed").asLong() == 0 ? 0 : 1;
    }

    /** Returns bench/ssh of the checkout the jar (target/fleet-sre.jar) or the classes (target/classes) were built in. */
    private static Path defaultScripts() throws java.net.URISyntaxException {
      Path built = Path.of(SshBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return built.toAbsolutePath().getParent().getParent().resolve("bench").resolve("ssh");
    }
  }
}
