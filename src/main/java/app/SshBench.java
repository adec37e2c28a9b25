package app;

import agent.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import fleet.HostEntry;
import fleet.SshSettings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;
import streams.ExecutionSettings;

/**
 * {@code bench ssh}: the same command, the same number of times on the same hosts, through
 * fleet-sre (the real command pipeline and SSH runner) and through {@code ansible} ad-hoc, against
 * real OpenSSH sshd instances on loopback addresses; reports commands per second of both and
 * their ratio.
 *
 * <p>Each round has two passes per side. The cold pass starts with no connection open, so it
 * includes connection setup: fleet-sre starts a new runner, ansible a new ControlMaster directory.
 * The steady pass that follows reuses those connections: fleet-sre's pooled sessions, ansible's
 * ControlPersist masters. Which side goes first alternates from round to round, so a change in
 * the machine's load during the run weighs on both sides alike. A warm-up round, not counted,
 * comes first.
 */
final class SshBench {

  /** The text of {@code connectionSetup} in the figures. */
  static final String CONNECTION_SETUP = "cold passes start with no SSH connection open and include connection setup "
      + "(fleet-sre: a new runner; ansible: a new ControlMaster directory); steady passes reuse the connections of "
      + "the cold pass before them (fleet-sre's pooled sessions; ansible's ControlPersist masters)";

  /**
   * Parameters of one run.
   *
   * @param hosts loopback hosts (sshd addresses)
   * @param port sshd port on every address
   * @param commandsPerHost commands per host in each measured pass
   * @param warmupCommandsPerHost commands per host in the warm-up pass of each side, not counted
   * @param rounds rounds of measured passes
   * @param command the command line, run by ansible's command module and split on white space into fleet-sre's argv
   * @param forks ansible's forks
   * @param maxInFlight fleet-sre's max-in-flight, or null for the configuration's
   * @param ratePerSecond fleet-sre's rate of command starts
   * @param ansiblePipelining ansible's ssh pipelining
   * @param controlPersist ansible's ControlPersist
   * @param ansibleExecutable the ansible program
   * @param scripts directory of prepare.sh and stop.sh
   * @param configFile fleet-sre configuration file with overrides, or null
   * @param sshdMaxStartups sshd MaxStartups
   * @param sshdMaxSessions sshd MaxSessions
   * @param remoteUser the user both clients log in as
   * @param commandTimeout fleet-sre's timeout per command
   * @param passTimeout how long one pass (or one ansible invocation) may take
   */
  record Parameters(int hosts, int port, int commandsPerHost, int warmupCommandsPerHost, int rounds, String command,
      int forks, Integer maxInFlight, int ratePerSecond, boolean ansiblePipelining, Duration controlPersist,
      String ansibleExecutable, Path scripts, File configFile, int sshdMaxStartups, int sshdMaxSessions,
      String remoteUser, Duration commandTimeout, Duration passTimeout) {}

  private SshBench() {}

  /** Starts the loopback sshd instances, runs the comparison and stops them. */
  static ObjectNode run(Parameters parameters) throws Exception {
    // A short name, because ansible's ControlMaster sockets go into it (see AnsibleAdHoc).
    Path directory = Files.createTempDirectory("fleet-sre-ssh-");
    System.err.printf(Locale.ROOT, "ssh: preparing %d loopback hosts on port %d in %s%n", parameters.hosts(),
        parameters.port(), directory);
    try (LoopbackSshd sshd = LoopbackSshd.start(parameters.scripts(), directory, parameters.hosts(), parameters.port(),
        parameters.sshdMaxStartups(), parameters.sshdMaxSessions(), parameters.remoteUser(), Duration.ofMinutes(15))) {
      // Stops the sshd instances on Ctrl-C too; close() runs stop.sh only once.
      Thread stopOnExit = new Thread(sshd::close, "ssh-bench-stop-sshd");
      Runtime.getRuntime().addShutdownHook(stopOnExit);
      ObjectNode figures = compare(parameters, sshd.hosts(), directory);
      ObjectNode sshdFigures = figures.putObject("sshd");
      sshdFigures.put("instances", sshd.instances());
      sshdFigures.put("port", parameters.port());
      sshdFigures.put("maxStartups", parameters.sshdMaxStartups());
      sshdFigures.put("maxSessions", parameters.sshdMaxSessions());
      sshdFigures.put("user", parameters.remoteUser());
      sshdFigures.put("openssh", versionLine(List.of("ssh", "-V")));
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
      return figures;
    }
  }

  /** Runs the warm-up and the measured rounds of both sides against {@code hosts}, which must accept the same key. */
  static ObjectNode compare(Parameters parameters, List<HostEntry> hosts, Path directory) throws Exception {
    setLogLevel("fleet.SshRunner", "WARN"); // one line per opened session would bury the progress lines
    Config config = Main.loadConfig(parameters.configFile());
    ExecutionSettings configured = ExecutionSettings.fromConfig(config.getConfig("fleet-sre.execution"));
    ExecutionSettings execution = new ExecutionSettings(
        parameters.maxInFlight() != null ? parameters.maxInFlight() : configured.maxInFlight(),
        configured.maxInFlightPerHost(), parameters.ratePerSecond(), configured.queueSize(),
        configured.saturationThreshold(), configured.outputCapBytes());
    SshSettings ssh = SshSettings.fromConfig(config.getConfig("fleet-sre.ssh"));
    // application.conf sizes ssh-runner-threads to max-in-flight, so a larger --max-in-flight
    // raises the threads too.
    int runnerThreads = Math.max(config.getInt("fleet-sre.execution.ssh-runner-threads"),
        parameters.maxInFlight() != null ? parameters.maxInFlight() : 0);
    List<String> argv = List.of(parameters.command().trim().split("\\s+"));

    Path ansibleDirectory = Files.createDirectories(directory.resolve("ansible"));
    AnsibleAdHoc ansible = new AnsibleAdHoc(new AnsibleAdHoc.Settings(parameters.ansibleExecutable(), hosts,
        parameters.forks(), parameters.ansiblePipelining(), parameters.controlPersist(), "/usr/bin/python3",
        ssh.connectTimeout()), ansibleDirectory, directory);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "fleet-sre-ssh-bench",
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
            .withFallback(ConfigFactory.defaultReference()));
    AtomicLong completed = new AtomicLong();
    AtomicReference<String> phase = new AtomicReference<>("starting");
    String loadBefore = loadAverage();
    List<SshBenchMeasurement> warmup = new ArrayList<>();
    List<SshBenchMeasurement> measured = new ArrayList<>();
    try (BenchProgress progress = new BenchProgress("ssh",
        () -> String.format(Locale.ROOT, "%s: %d commands done", phase.get(), completed.get()))) {
      if (parameters.warmupCommandsPerHost() > 0) {
        phase.set("warm-up, fleet-sre");
        try (FleetSreSshLoad fleet = FleetSreSshLoad.open(system, execution, ssh, runnerThreads, hosts, completed)) {
          warmup.add(fleet.run("warmup", 0, argv, parameters.warmupCommandsPerHost(), parameters.commandTimeout(),
              parameters.passTimeout()));
        }
        phase.set("warm-up, ansible");
        ansible.newControlDirectory();
        warmup.add(ansible.run("warmup", 0, parameters.command(), parameters.warmupCommandsPerHost(),
            parameters.passTimeout(), completed));
      }
      for (int round = 1; round <= parameters.rounds(); round++) {
        boolean fleetFirst = round % 2 == 1;
        for (int turn = 0; turn < 2; turn++) {
          if ((turn == 0) == fleetFirst) {
            phase.set("round " + round + " of " + parameters.rounds() + ", fleet-sre");
            try (FleetSreSshLoad fleet = FleetSreSshLoad.open(system, execution, ssh, runnerThreads, hosts, completed)) {
              for (String mode : List.of("cold", "steady")) {
                measured.add(report(fleet.run(mode, round, argv, parameters.commandsPerHost(),
                    parameters.commandTimeout(), parameters.passTimeout())));
              }
            }
          } else {
            phase.set("round " + round + " of " + parameters.rounds() + ", ansible");
            ansible.newControlDirectory();
            for (String mode : List.of("cold", "steady")) {
              measured.add(report(ansible.run(mode, round, parameters.command(), parameters.commandsPerHost(),
                  parameters.passTimeout(), completed)));
            }
          }
        }
      }
    } finally {
      try {
        ansible.closeConnections();
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    }
    return figures(parameters, hosts.size(), execution, ssh, runnerThreads, warmup, measured, loadBefore,
        versionLine(List.of(parameters.ansibleExecutable(), "--version")));
  }

  private static SshBenchMeasurement report(SshBenchMeasurement pass) {
    System.err.printf(Locale.ROOT, "ssh: round %d %s %s: %d commands in %.2f s, %.1f/s, %d failed%n", pass.round(),
        pass.side(), pass.mode(), pass.commands(), pass.seconds(), pass.commandsPerSecond(), pass.failed());
    return pass;
  }

  private static ObjectNode figures(Parameters parameters, int hosts, ExecutionSettings execution, SshSettings ssh,
      int runnerThreads, List<SshBenchMeasurement> warmup, List<SshBenchMeasurement> measured, String loadBefore,
      String ansibleVersion) {
    ObjectNode figures = Json.mapper().createObjectNode();
    figures.put("bench", "ssh");
    figures.put("hosts", hosts);
    figures.put("command", parameters.command());
    figures.put("commandsPerHost", parameters.commandsPerHost());
    figures.put("rounds", parameters.rounds());
    figures.put("warmupCommandsPerHost", parameters.warmupCommandsPerHost());
    figures.put("warmup", "one pass per side with " + parameters.warmupCommandsPerHost()
        + " commands per host before round 1, not counted");
    figures.put("connectionSetup", CONNECTION_SETUP);
    figures.put("order", "fleet-sre first in odd rounds, ansible first in even rounds");

    double fleetCold = rate(measured, "fleet-sre", "cold");
    double ansibleCold = rate(measured, "ansible", "cold");
    double fleetSteady = rate(measured, "fleet-sre", "steady");
    double ansibleSteady = rate(measured, "ansible", "steady");
    figures.put("fleetSreCommandsPerSecond", DispatchBench.round(fleetCold, 2));
    figures.put("ansibleCommandsPerSecond", DispatchBench.round(ansibleCold, 2));
    figures.put("ratioVsAnsible", DispatchBench.round(ratio(fleetCold, ansibleCold), 2));
    figures.put("steadyFleetSreCommandsPerSecond", DispatchBench.round(fleetSteady, 2));
    figures.put("steadyAnsibleCommandsPerSecond", DispatchBench.round(ansibleSteady, 2));
    figures.put("steadyRatioVsAnsible", DispatchBench.round(ratio(fleetSteady, ansibleSteady), 2));
    figures.put("fleetSreFailed", failed(measured, "fleet-sre"));
    figures.put("ansibleFailed", failed(measured, "ansible"));

    ObjectNode fleetSre = figures.putObject("fleetSre");
    fleetSre.put("maxInFlight", execution.maxInFlight());
    fleetSre.put("maxInFlightPerHost", execution.maxInFlightPerHost());
    fleetSre.put("ratePerSecond", execution.ratePerSecond());
    fleetSre.put("sshRunnerThreads", runnerThreads);
    fleetSre.put("maxChannelsPerSession", ssh.maxChannelsPerSession());
    fleetSre.put("connectionsPerSecond", ssh.connectionsPerSecond());
    ObjectNode ansible = figures.putObject("ansible");
    ansible.put("forks", parameters.forks());
    ansible.put("pipelining", parameters.ansiblePipelining());
    ansible.put("controlPersistSeconds", parameters.controlPersist().toSeconds());
    ansible.put("version", ansibleVersion);

    figures.set("passes", passes(measured));
    figures.set("warmupPasses", passes(warmup));
    figures.put("loadAverageBefore", loadBefore);
    figures.put("loadAverageAfter", loadAverage());
    figures.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    return figures;
  }

  private static ArrayNode passes(List<SshBenchMeasurement> measurements) {
    ArrayNode passes = Json.mapper().createArrayNode();
    for (SshBenchMeasurement pass : measurements) {
      ObjectNode node = passes.addObject();
      node.put("side", pass.side());
      node.put("mode", pass.mode());
      node.put("round", pass.round());
      node.put("commands", pass.commands());
      node.put("failed", pass.failed());
      node.put("seconds", DispatchBench.round(pass.seconds(), 3));
      node.put("commandsPerSecond", DispatchBench.round(pass.commandsPerSecond(), 2));
      if (!pass.firstError().isEmpty()) {
        node.put("firstError", pass.firstError());
      }
    }
    return passes;
  }

  /** Returns all commands of the side's passes in that mode divided by their total time. */
  static double rate(List<SshBenchMeasurement> measured, String side, String mode) {
    long commands = 0;
    double seconds = 0;
    for (SshBenchMeasurement pass : measured) {
      if (pass.side().equals(side) && pass.mode().equals(mode)) {
        commands += pass.commands();
        seconds += pass.seconds();
      }
    }
    return seconds > 0 ? commands / seconds : 0;
  }

  private static double ratio(double fleetSre, double ansible) {
    return ansible > 0 ? fleetSre / ansible : 0;
  }

  static long failed(List<SshBenchMeasurement> measured, String side) {
    return measured.stream().filter(pass -> pass.side().equals(side)).mapToLong(SshBenchMeasurement::failed).sum();
  }

  /** Returns the first line a program prints (stdout and stderr together), or a note that it could not run. */
  private static String versionLine(List<String> argv) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor();
      return output.lines().findFirst().orElse("").trim();
    } catch (IOException e) {
      return "unknown (" + argv.get(0) + " could not run: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown (interrupted)";
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void setLogLevel(String logger, String level) {
    if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(ch.qos.logback.classic.Level.toLevel(level));
    }
  }
}
