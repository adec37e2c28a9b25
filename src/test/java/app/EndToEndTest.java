package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, one test per use case: an Alertmanager alert goes in over HTTP, the engine
 * investigates host {@code web-01} over real SSH (an in-process MINA SSHD server running the real
 * commands on a fixture tree), and the insight on the Redis stream names the cause.
 */
class EndToEndTest {

  private static final Duration INSIGHT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  static Path directory;

  private static TestEnvironment environment;
  private static Engine engine;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    environment = new TestEnvironment(directory);
    // The test JVM itself is busy; like a monitoring agent on a real host, it is not a suspect.
    engine = Engine.start(environment.config("data",
        "fleet-sre.playbooks.resource-hogs.ignored-commands = [\"java\"]\n"));
    port = engine.bindHttp(0).getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (engine != null) {
      engine.close();
    }
    if (environment != null) {
      environment.close();
    }
  }

  private static JsonNode investigate(String alertname, String summary, String fingerprint) throws Exception {
    HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
        TestEnvironment.alertmanagerPayload(alertname, summary, fingerprint, Instant.now().toString()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    String incidentId = TestEnvironment.incidentId(response);
    return environment.awaitInsight(incidentId, INSIGHT_TIMEOUT);
  }

  private static List<String> fixCommands(JsonNode insight) {
    List<String> commands = new ArrayList<>();
    insight.get("fixes").forEach(fix -> commands.add(fix.get("command").asText()));
    return commands;
  }

  private static String text(JsonNode insight) {
    return insight.get("summary").asText() + "\n" + insight.get("rootCause").asText();
  }

  @Test
  void diskAlertFindsWhatCanBeDeleted() throws Exception {
    JsonNode insight = investigate("NodeFilesystemAlmostOutOfSpace", "Filesystem / has less than 10% left", "e2e-disk");

    assertThat(insight.get("playbook").asText()).isEqualTo("disk-space");
    assertThat(insight.get("status").asText()).isEqualTo("complete");
    assertThat(insight.get("host").asText()).isEqualTo(TestEnvironment.HOST);
    String oldBackup = environment.fixture.abs("var/backups/shop-2026-09-01.sql.gz");
    String rotatedLog = environment.fixture.abs("var/log/nginx/access.log.2.gz");
    List<String> fixes = fixCommands(insight);
    assertThat(fixes).anySatisfy(command -> assertThat(command).startsWith("rm").contains(oldBackup));
    assertThat(fixes).anySatisfy(command -> assertThat(command).contains(rotatedLog));
    assertThat(fixes).noneSatisfy(command -> assertThat(command).contains("ibdata1"));
    assertThat(fixes).noneSatisfy(command -> assertThat(command).contains("wp-content/uploads"));
    assertThat(fixes).noneSatisfy(command -> assertThat(command).contains("shop-today.sql.gz"));
    // The database is the largest directory; it is named as such and kept out of every fix.
    assertThat(insight.get("rootCause").asText()).contains(environment.fixture.abs("var/lib/mysql"));
    assertThat(insight.get("summary").asText()).contains("can be reclaimed");
    assertThat(insight.get("evidence")).isNotEmpty();
  }

  @Test
  void requestFloodNamesTheClientAndPath() throws Exception {
    JsonNode insight = investigate("NginxHighRequestRate", "requests per second above 200", "e2e-requests");

    assertThat(insight.get("playbook").asText()).isEqualTo("excessive-requests");
    assertThat(insight.get("rootCause").asText()).contains(HostFixture.ABUSIVE_IP).contains("xmlrpc.php");
    assertThat(fixCommands(insight)).anySatisfy(command -> assertThat(command).contains("deny " + HostFixture.ABUSIVE_IP));
  }

  @Test
  void siteDownNamesTheBrokenConfigLine() throws Exception {
    JsonNode insight = investigate("NginxDown", "nginx is not serving requests", "e2e-config");

    assertThat(insight.get("playbook").asText()).isEqualTo("config-downtime");
    String site = environment.fixture.abs("etc/nginx/sites-enabled/shop.conf");
    assertThat(insight.get("rootCause").asText())
        .contains(site)
        .contains(String.valueOf(HostFixture.BROKEN_LINE))
        .contains(HostFixture.BROKEN_DIRECTIVE);
  }

  @Test
  void cpuAlertNamesTheRunawayProcessAndSite() throws Exception {
    Process hog = environment.fixture.startCpuHog();
    try {
      awaitCpuPercent(hog.pid(), 50);
      JsonNode insight = investigate("HostHighCpuLoad", "load average above 8", "e2e-cpu");

      assertThat(insight.get("playbook").asText()).isEqualTo("resource-hogs");
      assertThat(insight.get("rootCause").asText())
          .contains(String.valueOf(hog.pid()))
          .contains("shop");
    } finally {
      hog.destroyForcibly();
    }
  }

  /** Polls ps until the process shows at least {@code percent} CPU, which ps reports as time used over time alive. */
  private static void awaitCpuPercent(long pid, double percent) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Process ps = new ProcessBuilder("ps", "-o", "pcpu=", "-p", String.valueOf(pid)).start();
      String output = new String(ps.getInputStream().readAllBytes()).trim();
      ps.waitFor();
      if (!output.isEmpty() && Double.parseDouble(output) >= percent) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("process " + pid + " never reached " + percent + "% CPU");
  }

  @Test
  void transcriptIsReadableOverHttp() throws Exception {
    HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
        TestEnvironment.alertmanagerPayload("DiskUsageCritical", "disk", "e2e-transcript", Instant.now().toString()));
    String incidentId = TestEnvironment.incidentId(response);
    environment.awaitInsight(incidentId, INSIGHT_TIMEOUT);

    HttpResponse<String> details = environment.get(port, "/api/v1/incidents/" + incidentId);
    assertThat(details.statusCode()).isEqualTo(200);
    JsonNode incident = Json.mapper().readTree(details.body());
    assertThat(incident.get("state").asText()).isEqualTo("published");
    assertThat(incident.get("insightDelivered").asBoolean()).isTrue();
    assertThat(incident.get("transcript")).isNotEmpty().allSatisfy(entry -> {
      assertThat(entry.get("status").asText()).isEqualTo("exited");
      assertThat(entry.get("argv")).isNotEmpty();
      assertThat(entry.has("durationMillis")).isTrue();
    });
    assertThat(incident.get("insight").get("incidentId").asText()).isEqualTo(incidentId);
  }
}
