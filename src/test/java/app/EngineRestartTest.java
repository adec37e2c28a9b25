package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node dies mid-investigation: the engine runs as its own JVM on a PostgreSQL journal, is
 * killed with SIGKILL while a command is running on the host, and a new engine on the same
 * journal resumes the incident and publishes its insight.
 */
class EngineRestartTest {

  @TempDir
  Path directory;

  @Test
  void killedEngineResumesIncidentFromPostgresJournal() throws Exception {
    try (TestEnvironment environment = new TestEnvironment(directory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      String journal = "fleet-sre.journal { url = \"" + postgres.getJdbcUrl("postgres", "postgres")
          + "\", user = \"postgres\", password = \"\" }\n";
      Path config = environment.writeConfig("restart", journal);
      environment.fixture.closeGate();

      int firstPort = TestEnvironment.freePort();
      String incidentId;
      try (EngineProcess first = EngineProcess.start(directory.resolve("first.log"),
          "serve", "--config", config.toString(), "--port", String.valueOf(firstPort))) {
        first.awaitReady(environment, firstPort, Duration.ofSeconds(90));
        HttpResponse<String> accepted = environment.post(firstPort, "/api/v1/alerts/alertmanager",
            TestEnvironment.alertmanagerPayload("NginxDown", "site down", "restart-1", Instant.now().toString()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        incidentId = TestEnvironment.incidentId(accepted);

        awaitPendingConfigTest(environment, firstPort, incidentId);
        first.kill();
      }

      environment.fixture.openGate();
      int secondPort = TestEnvironment.freePort();
      try (EngineProcess second = EngineProcess.start(directory.resolve("second.log"),
          "serve", "--config", config.toString(), "--port", String.valueOf(secondPort))) {
        second.awaitReady(environment, secondPort, Duration.ofSeconds(90));

        JsonNode insight = environment.awaitInsight(incidentId, Duration.ofSeconds(90));
        assertThat(insight.get("rootCause").asText()).contains(HostFixture.BROKEN_DIRECTIVE);

        JsonNode incident = Json.mapper().readTree(environment.get(secondPort, "/api/v1/incidents/" + incidentId).body());
        assertThat(incident.get("state").asText()).isEqualTo("published");
        assertThat(incident.get("alertsReceived").asInt()).isEqualTo(1);
        assertThat(environment.streamLength()).isEqualTo(1);
      }
    }
  }

  /** Polls the incident until the nginx configuration test is dispatched and still running. */
  private static void awaitPendingConfigTest(TestEnvironment environment, int port, String incidentId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode incident = Json.mapper().readTree(environment.get(port, "/api/v1/incidents/" + incidentId).body());
      for (JsonNode entry : incident.path("transcript")) {
        if (entry.get("status").asText().equals("pending") && entry.get("argv").get(0).asText().endsWith("/bin/nginx")) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the nginx configuration test of incident [" + incidentId + "] was never pending");
  }
}
