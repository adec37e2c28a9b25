package fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agent.Analyzers;
import agent.StackProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatedRunnerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final List<SimulatedRunner> runners = new ArrayList<>();

  @AfterEach
  void closeRunners() {
    runners.forEach(SimulatedRunner::close);
  }

  private static SimulatedSettings settings(SimulatedSettings.Distribution distribution, Duration median, Duration p99,
      double failureRate, double timeoutRate, long seed) {
    return new SimulatedSettings(1000, seed, distribution, median, p99, failureRate, timeoutRate, 500, 1);
  }

  private SimulatedRunner runner(SimulatedSettings settings) {
    SimulatedRunner runner = new SimulatedRunner(settings, Clock.systemUTC());
    runners.add(runner);
    return runner;
  }

  private SimulatedRunner fixedRunner(Duration latency) {
    return runner(settings(SimulatedSettings.Distribution.FIXED, latency, latency, 0, 0, 1));
  }

  private static CommandRequest request(String id, String host, List<String> argv, String analyzer, Duration timeout) {
    return new CommandRequest(id, "incident-1", host, argv, analyzer, null, "test", timeout);
  }

  private static HostEntry simulatedHost(String name) {
    return new HostEntry(name, "simulated", name, 22, "diag", null, null);
  }

  private static CommandOutput await(java.util.concurrent.CompletionStage<CommandOutput> stage) {
    CompletableFuture<CommandOutput> future = stage.toCompletableFuture();
    Poll.until(future::isDone, Duration.ofSeconds(10), "the simulated command to complete");
    return future.join();
  }

  @Test
  void hostNamesArePaddedAndChecked() {
    SimulatedRunner runner = runner(new SimulatedSettings(90_000, 1, SimulatedSettings.Distribution.FIXED,
        Duration.ZERO, Duration.ZERO, 0, 0, 10, 1));

    assertThat(runner.hostName(1)).isEqualTo("sim-00001");
    assertThat(runner.hostName(90_000)).isEqualTo("sim-90000");
    assertThat(runner.hostNumber("sim-00042")).isEqualTo(42);
    assertThat(runner.hostNumber("sim-90001")).isEqualTo(-1);
    assertThat(runner.hostNumber("sim-42")).isEqualTo(-1);
    assertThat(runner.hostNumber("web-00001")).isEqualTo(-1);
    assertThatThrownBy(() -> runner.hostName(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sameSeedGivesSameAnswers() {
    SimulatedSettings settings =
        settings(SimulatedSettings.Distribution.LOG_NORMAL, Duration.ofMillis(50), Duration.ofMillis(400), 0.1, 0.1, 7);
    SimulatedRunner first = runner(settings);
    SimulatedRunner second = runner(settings);
    SimulatedRunner otherSeed = runner(
        settings(SimulatedSettings.Distribution.LOG_NORMAL, Duration.ofMillis(50), Duration.ofMillis(400), 0.1, 0.1, 8));

    int differentOutputs = 0;
    for (int host = 1; host <= 50; host++) {
      String name = first.hostName(host);
      CommandRequest df = request("c-" + host, name, List.of("df", "-P", "-k"), "disk-usage", TIMEOUT);
      SimulatedRunner.Plan plan = first.plan(df);

      assertThat(second.plan(df)).isEqualTo(plan);
      SimulatedRunner.Plan exited = new SimulatedRunner.Plan(CommandOutput.Outcome.EXITED, Duration.ZERO);
      assertThat(second.output(df, host, exited, 1 << 20)).isEqualTo(first.output(df, host, exited, 1 << 20));
      if (!otherSeed.output(df, host, exited, 1 << 20).equals(first.output(df, host, exited, 1 << 20))) {
        differentOutputs++;
      }
    }
    assertThat(differentOutputs).isGreaterThan(25);
  }

  @Test
  void logNormalLatencyHasConfiguredMedianAndP99() {
    SimulatedRunner runner = runner(
        settings(SimulatedSettings.Distribution.LOG_NORMAL, Duration.ofMillis(50), Duration.ofMillis(400), 0, 0, 3));
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      CommandRequest request = request("lat-" + i, runner.hostName(1 + i % 1000), List.of("cat", "/proc/loadavg"),
          "load", TIMEOUT);
      micros.add(runner.plan(request).latency().toNanos() / 1000);
    }
    micros.sort(Long::compare);

    // Bounds are wide: the sample median and p99 of 20,000 draws vary by a few percent.
    assertThat(micros.get(10_000)).isBetween(45_000L, 55_000L);
    assertThat(micros.get(19_800)).isBetween(320_000L, 500_000L);
    // mean = median * exp(sigma^2 / 2) with sigma = ln(400 / 50) / 2.326, about 74.5 ms
    assertThat(runner.settings().meanLatency().toMillis()).isBetween(73L, 76L);
  }

  @Test
  void fixedLatencyIsExact() {
    SimulatedRunner runner = fixedRunner(Duration.ofMillis(7));

    for (int i = 0; i < 100; i++) {
      CommandRequest request = request("f-" + i, runner.hostName(1 + i), List.of("cat", "/proc/loadavg"), "load", TIMEOUT);
      assertThat(runner.plan(request).latency()).isEqualTo(Duration.ofMillis(7));
    }
  }

  @Test
  void failureAndTimeoutRatesHold() {
    SimulatedRunner runner = runner(
        settings(SimulatedSettings.Distribution.FIXED, Duration.ofMillis(5), Duration.ofMillis(5), 0.05, 0.02, 11));
    int unreachable = 0;
    int timedOut = 0;
    int total = 20_000;
    for (int i = 0; i < total; i++) {
      CommandRequest request = request("r-" + i, runner.hostName(1 + i % 1000), List.of("df", "-P", "-k"),
          "disk-usage", Duration.ofSeconds(3));
      SimulatedRunner.Plan plan = runner.plan(request);
      if (plan.outcome() == CommandOutput.Outcome.UNREACHABLE) {
        unreachable++;
      } else if (plan.outcome() == CommandOutput.Outcome.TIMED_OUT) {
        timedOut++;
        assertThat(plan.latency()).isEqualTo(Duration.ofSeconds(3));
      }
    }

    assertThat(unreachable / (double) total).isBetween(0.04, 0.06);
    assertThat(timedOut / (double) total).isBetween(0.014, 0.026);
  }

  @Test
  void commandCompletesAfterItsLatency() {
    SimulatedRunner runner = fixedRunner(Duration.ofMillis(30));
    long started = System.nanoTime();

    CommandOutput output = await(runner.run(
        request("a-1", "sim-00001", List.of("cat", "/proc/loadavg"), "load", TIMEOUT), simulatedHost("sim-00001"), 1024));

    assertThat(output.outcome()).isEqualTo(CommandOutput.Outcome.EXITED);
    assertThat(output.exitCode()).isZero();
    assertThat(output.duration()).isEqualTo(Duration.ofMillis(30));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
  }

  @Test
  void timedOutCommandEndsAtRequestTimeout() {
    SimulatedRunner runner = runner(
        settings(SimulatedSettings.Distribution.FIXED, Duration.ofMillis(1), Duration.ofMillis(1), 0, 1.0, 1));

    CommandOutput output = await(runner.run(request("t-1", "sim-00002", List.of("df", "-P", "-k"), "disk-usage",
        Duration.ofMillis(80)), simulatedHost("sim-00002"), 1024));

    assertThat(output.outcome()).isEqualTo(CommandOutput.Outcome.TIMED_OUT);
    assertThat(output.duration()).isEqualTo(Duration.ofMillis(80));
    assertThat(output.error()).contains("timed out");
  }

  @Test
  void hostOutsideFleetIsUnreachable() {
    SimulatedRunner runner = fixedRunner(Duration.ofMillis(1));

    CommandOutput output = await(runner.run(request("u-1", "web-01", List.of("df", "-P", "-k"), "disk-usage", TIMEOUT),
        simulatedHost("web-01"), 1024));

    assertThat(output.outcome()).isEqualTo(CommandOutput.Outcome.UNREACHABLE);
    assertThat(output.error()).contains("web-01").contains("sim-00001");
  }

  @Test
  void outputIsCutAtCap() {
    SimulatedRunner runner = fixedRunner(Duration.ZERO);

    CommandOutput output = await(runner.run(request("cap-1", "sim-00003", List.of("ps", "-eo",
        "pid,user,pcpu,pmem,rss,etimes,args", "--sort=-pcpu"), "top-processes", TIMEOUT), simulatedHost("sim-00003"), 64));

    assertThat(output.stdout()).hasSize(64);
    assertThat(output.truncated()).isTrue();
  }

  @Test
  void runnersRouteSimulatedHosts() {
    SimulatedRunner simulated = fixedRunner(Duration.ZERO);
    Runners runners = new Runners(new LocalRunner(1), fixedRunner(Duration.ZERO), simulated);
    Inventory inventory = Inventory.fromConfig(ConfigFactory.parseString("hosts {}, default { runner = simulated }"));
    HostEntry host = inventory.lookup("sim-00004").orElseThrow();

    CommandOutput output = await(runners.run(
        request("route-1", "sim-00004", List.of("cat", "/proc/meminfo"), "memory", TIMEOUT), host, 4096));

    assertThat(host.runner()).isEqualTo("simulated");
    assertThat(output.stdout()).contains("MemAvailable:");
    runners.close();
  }

  /** Returns every command the playbooks plan, rendered by the real analyzers from the default stack profile. */
  private static List<String[]> playbookCommands(Analyzers analyzers, StackProfile profile) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    List<String[]> commands = new ArrayList<>();
    List<Map.Entry<String, ObjectNode>> planned = new ArrayList<>();
    planned.add(Map.entry("disk-usage", json.objectNode()));
    planned.add(Map.entry("inode-usage", json.objectNode()));
    planned.add(Map.entry("directory-sizes", json.objectNode()));
    planned.add(Map.entry("large-files", json.objectNode()));
    planned.add(Map.entry("access-log-files", json.objectNode()));
    planned.add(Map.entry("access-log-top", json.objectNode().put("file", "/var/log/nginx/access.log")));
    planned.add(Map.entry("top-processes", json.objectNode().put("sort", "-pcpu")));
    planned.add(Map.entry("top-processes", json.objectNode().put("sort", "-rss")));
    planned.add(Map.entry("load", json.objectNode()));
    planned.add(Map.entry("memory", json.objectNode()));
    for (String service : profile.configTests().keySet()) {
      planned.add(Map.entry("config-test", json.objectNode().put("service", service)));
    }
    for (String log : profile.errorLogs()) {
      planned.add(Map.entry("log-errors", json.objectNode().put("file", log)));
    }
    for (Map.Entry<String, ObjectNode> entry : planned) {
      List<String> argv = analyzers.find(entry.getKey()).orElseThrow().render(entry.getValue(), profile);
      commands.add(new String[] {entry.getKey(), String.join("\u0000", argv)});
    }
    return commands;
  }

  @Test
  void outputsParseWithRealAnalyzers() {
    SimulatedRunner runner = fixedRunner(Duration.ZERO);
    Analyzers analyzers = Analyzers.standard();
    StackProfile profile = StackProfile.fromConfig(
        ConfigFactory.parseResources("stack-profile.conf").getConfig("fleet-sre.stack-profile"));
    SimulatedRunner.Plan exited = new SimulatedRunner.Plan(CommandOutput.Outcome.EXITED, Duration.ZERO);
    int deletableFiles = 0;
    int brokenConfigs = 0;

    for (int host = 1; host <= 60; host++) {
      for (String[] command : playbookCommands(analyzers, profile)) {
        List<String> argv = List.of(command[1].split("\u0000"));
        CommandRequest request = request("p-" + host, runner.hostName(host), argv, command[0], TIMEOUT);
        CommandOutput output = runner.output(request, host, exited, 8 << 20);

        JsonNode findings = analyzers.parse(command[0], argv, output);

        String context = command[0] + " on " + runner.hostName(host);
        assertThat(findings.path("parseError").asText()).as(context).isEmpty();
        // access-log-top counts unparsed lines; the other analyzers list them, and only when there are some.
        JsonNode unparsed = findings.path("unparsed");
        assertThat(unparsed.isMissingNode() || (unparsed.isNumber() && unparsed.asInt() == 0)).as(context + ": " + unparsed)
            .isTrue();
        assertThat(findings.has("unparsedSamples")).as(context).isFalse();
        switch (command[0]) {
          case "disk-usage", "inode-usage" -> assertThat(findings.get("filesystems")).as(context).hasSize(5);
          case "directory-sizes" -> assertThat(findings.get("directories").size()).as(context).isGreaterThan(5);
          case "large-files" -> {
            for (JsonNode file : findings.get("files")) {
              deletableFiles += file.get("deletable").asBoolean() ? 1 : 0;
            }
          }
          case "access-log-top" -> assertThat(findings.get("parsed").asInt()).as(context).isEqualTo(500);
          case "top-processes" -> assertThat(findings.get("processes").size()).as(context).isGreaterThan(5);
          case "load" -> assertThat(findings.has("load1")).as(context).isTrue();
          case "memory" -> assertThat(findings.has("availablePercent")).as(context).isTrue();
          case "config-test" -> {
            if (argv.get(0).equals("nginx") && !findings.get("ok").asBoolean()) {
              brokenConfigs++;
              assertThat(findings.get("errors").get(0).get("directive").asText()).as(context).isEqualTo("proxy_pas");
            }
          }
          default -> { }
        }
      }
    }
    assertThat(deletableFiles).isGreaterThan(60);
    assertThat(brokenConfigs).isBetween(3, 30);
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThatThrownBy(() -> settings(SimulatedSettings.Distribution.LOG_NORMAL, Duration.ofMillis(50),
        Duration.ofMillis(10), 0, 0, 1)).hasMessageContaining("p99");
    assertThatThrownBy(() -> settings(SimulatedSettings.Distribution.FIXED, Duration.ofMillis(5), Duration.ofMillis(5),
        0.7, 0.5, 1)).hasMessageContaining("failure-rate");
  }

  @Test
  void defaultConfigLoads() {
    SimulatedSettings settings = SimulatedSettings.fromConfig(
        ConfigFactory.parseResources("simulated.conf").getConfig("fleet-sre.simulated"));

    assertThat(settings.hosts()).isEqualTo(90_000);
    assertThat(settings.distribution()).isEqualTo(SimulatedSettings.Distribution.LOG_NORMAL);
    assertThat(Optional.of(settings.median())).contains(Duration.ofMillis(50));
  }
}
