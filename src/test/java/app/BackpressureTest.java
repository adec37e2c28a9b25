package app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the host side is slow the command queue fills, and HTTP ingest answers 503 with
 * Retry-After instead of taking more work; every alert accepted before that still gets its insight.
 */
class BackpressureTest {

  private static final String SMALL_QUEUE = """
      fleet-sre.execution { max-in-flight = 1, queue-size = 4, saturation-threshold = 0.5 }
      fleet-sre.incident.dispatch-retry = 200ms
      """;

  private static final List<String> SITE_DOWN_ALERTS =
      List.of("NginxDown", "ApacheDown", "SiteDown", "PhpFpmDown", "ServiceDown", "NginxConfigError");

  @TempDir
  Path directory;

  @Test
  void saturatedQueueGets503ThenDrains() throws Exception {
    try (TestEnvironment environment = new TestEnvironment(directory)) {
      environment.fixture.closeGate();
      try (Engine engine = Engine.start(environment.config("data", SMALL_QUEUE))) {
        int port = engine.bindHttp(0).getPort();

        List<String> accepted = new ArrayList<>();
        HttpResponse<String> rejected = null;
        for (int attempt = 0; attempt < 50 && rejected == null; attempt++) {
          String alertname = SITE_DOWN_ALERTS.get(attempt % SITE_DOWN_ALERTS.size()) + attempt;
          HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
              TestEnvironment.alertmanagerPayload(alertname, "site down", "bp-" + attempt, Instant.now().toString()));
          if (response.statusCode() == 503) {
            rejected = response;
          } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            String incidentId = TestEnvironment.incidentId(response);
            accepted.add(incidentId);
            awaitStepPlanned(environment, port, incidentId);
          }
        }

        assertThat(rejected).as("no 503 after 50 alerts").isNotNull();
        assertThat(rejected.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(rejected.body()).contains("saturated");
        assertThat(accepted).isNotEmpty();

        environment.fixture.openGate();
        for (String incidentId : accepted) {
          assertThat(environment.awaitInsight(incidentId, Duration.ofSeconds(90)).get("incidentId").asText())
              .isEqualTo(incidentId);
        }
        HttpResponse<String> afterDrain = environment.post(port, "/api/v1/alerts/alertmanager",
            TestEnvironment.alertmanagerPayload("NginxDown", "site down", "bp-after", Instant.now().toString()));
        assertThat(afterDrain.statusCode()).isEqualTo(202);
      }
    }
  }

  /** Polls until the incident has planned its first step, so its commands are on their way to the queue. */
  private static void awaitStepPlanned(TestEnvironment environment, int port, String incidentId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      String body = environment.get(port, "/api/v1/incidents/" + incidentId).body();
      if (!agent.Json.mapper().readTree(body).path("transcript").isEmpty()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("incident [" + incidentId + "] planned no step within 30 s");
  }
}
