package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code fleet-sre} commands run as a user runs them: a separate JVM, its exit code, stdout and stderr. */
class CommandLineTest {

  @TempDir
  static Path directory;

  private static TestEnvironment environment;

  @BeforeAll
  static void start() throws Exception {
    environment = new TestEnvironment(directory);
  }

  @AfterAll
  static void stop() throws Exception {
    environment.close();
  }

  private record Run(int exitCode, String stdout, String stderr) {}

  private static Run run(String name, String... args) throws Exception {
    Path stdout = directory.resolve(name + ".out");
    Path stderr = directory.resolve(name + ".err");
    EngineProcess process = EngineProcess.start(stdout, stderr, args);
    int code = process.awaitExit(Duration.ofMinutes(3));
    return new Run(code, Files.readString(stdout), Files.readString(stderr));
  }

  @Test
  void investigatePrintsInsightJsonForNativeAlert() throws Exception {
    Path alert = directory.resolve("alert.json");
    Files.writeString(alert, """
        {"host": "web-01", "kind": "HostDiskFull", "severity": "critical", "summary": "disk almost full"}
        """);
    Path config = environment.writeConfig("investigate", "");

    Run run = run("investigate", "investigate", "--alert", alert.toString(), "--config", config.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode insight = Json.mapper().readTree(run.stdout());
    assertThat(insight.get("host").asText()).isEqualTo("web-01");
    assertThat(insight.get("playbook").asText()).isEqualTo("disk-space");
    assertThat(insight.get("fixes").toString()).contains("shop-2026-09-01.sql.gz");
    assertThat(insight.get("state").asText()).isEqualTo("published");
    assertThat(insight.get("verdict").get("publish").asBoolean()).isTrue();
    assertThat(run.stderr()).contains("incident");
  }

  @Test
  void investigateExitsThreeWhenInsightIsHeld() throws Exception {
    Path alert = directory.resolve("held-alert.json");
    Files.writeString(alert, """
        {"host": "web-01", "kind": "HostDiskFull", "severity": "critical", "summary": "disk almost full"}
        """);
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    // The model judge cannot reach its endpoint, and on-model-failure = hold holds the insight.
    Path config = environment.writeConfig("investigate-held", """
        fleet-sre.judge {
          kind = model
          on-model-failure = hold
          model { provider = openai, url = "http://127.0.0.1:%d/v1", name = "judge-test", max-retries = 0 }
        }
        """.formatted(closedPort));

    Run run = run("investigate-held", "investigate", "--alert", alert.toString(), "--config", config.toString());

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
    JsonNode insight = Json.mapper().readTree(run.stdout());
    assertThat(insight.get("state").asText()).isEqualTo("awaiting-review");
    assertThat(insight.get("verdict").get("publish").asBoolean()).isFalse();
    assertThat(run.stderr()).contains("is held for review");
  }

  @Test
  void investigateUsesModelFromEnvironment() throws Exception {
    Path alert = directory.resolve("model-alert.json");
    Files.writeString(alert, "{\"host\": \"web-01\", \"kind\": \"HostHighCpuLoad\", \"summary\": \"load\"}\n");
    Path config = environment.writeConfig("investigate-model", "");
    try (ScriptedModelServer model = new ScriptedModelServer()) {
      model.thenTools("load", "{}").thenSubmit(request -> {
        var answer = Json.mapper().createObjectNode().put("status", "complete")
            .put("summary", "Load is normal.").put("rootCause", "No CPU problem right now");
        answer.putArray("remediation").add("Watch the load.");
        answer.putArray("fixes");
        String result = ScriptedModelServer.lastToolResult(request);
        String commandId = result.replaceAll("(?s).*?commandId[=\": ]+([A-Za-z0-9_.:-]*[0-9]).*", "$1");
        answer.putArray("evidence").addObject().put("claim", "load is low").put("commandId", commandId)
            .put("excerpt", ScriptedModelServer.quote(result, commandId));
        return answer;
      });
      Path stdout = directory.resolve("model.out");
      Path stderr = directory.resolve("model.err");
      EngineProcess process = EngineProcess.start(java.util.Map.of("FLEET_SRE_MODEL_URL", model.baseUrl(),
              "FLEET_SRE_MODEL", "scripted-model", "MODEL_ACCESS_KEY", "test-key-not-secret"), stdout, stderr,
          "investigate", "--alert", alert.toString(), "--config", config.toString());
      int code = process.awaitExit(Duration.ofMinutes(3));

      String err = Files.readString(stderr);
      assertThat(code).as(err).isZero();
      JsonNode insight = Json.mapper().readTree(Files.readString(stdout));
      assertThat(insight.get("brain").asText()).isEqualTo("model:scripted-model");
      assertThat(insight.get("rootCause").asText()).isEqualTo("No CPU problem right now");
      assertThat(err).doesNotContain("test-key-not-secret");
    }
  }

  @Test
  void investigateRejectsInvalidAlertNamingTheField() throws Exception {
    Path alert = directory.resolve("invalid.json");
    Files.writeString(alert, """
        {"version": "4", "alerts": [{"status": "firing", "labels": {"instance": "web-01:9100"}}]}
        """);

    Run run = run("invalid", "investigate", "--alert", alert.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr()).contains("$.alerts[0].labels.alertname").contains("missing");
  }

  @Test
  void investigateReportsMissingFile() throws Exception {
    Run run = run("missing", "investigate", "--alert", directory.resolve("nope.json").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("--alert").contains("nope.json");
  }

  @Test
  void demoInvestigatesThisMachine() throws Exception {
    Path config = directory.resolve("demo.conf");
    Files.writeString(config, "fleet-sre.data-dir = \"" + directory.resolve("demo-data") + "\"\n");

    Run run = run("demo", "demo", "--config", config.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).containsPattern("Incident localhost_NodeFilesystemAlmostOutOfSpace_1-[0-9a-f]{6} on localhost");
    assertThat(run.stdout()).contains("playbook disk-space");
    assertThat(Files.readString(directory.resolve("demo-data/insights.jsonl"))).contains("\"host\":\"localhost\"");
  }
}
