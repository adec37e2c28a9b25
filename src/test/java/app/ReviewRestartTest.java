package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review queue and the judge guidelines survive an engine restart on a PostgreSQL journal. A
 * held review claimed before the restart is still claimed after it and the guidelines keep their
 * version. A verdict given after the restart releases the insight to the stream once.
 */
class ReviewRestartTest {

  @TempDir
  Path directory;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode awaitReview(int port, String reviewId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = send(port, "GET", "/api/v1/reviews/" + reviewId, null);
      if (response.statusCode() == 200) {
        return Json.mapper().readTree(response.body());
      }
      Thread.sleep(100);
    }
    throw new AssertionError("review [" + reviewId + "] never appeared in the queue");
  }

  /** Builds a model's insight citing a command that never ran, which the structural judge holds. */
  private static ObjectNode heldAnswer() {
    ObjectNode answer = Json.mapper().createObjectNode()
        .put("status", "complete").put("summary", "The disk is full.").put("rootCause", "An old backup.");
    answer.putArray("remediation").add("Delete the old backup.");
    answer.putArray("fixes").addObject().put("description", "check").put("command", "true").put("risk", "low");
    answer.putArray("evidence").addObject().put("claim", "backup").put("commandId", "made-up:1.1").put("excerpt", "x");
    return answer;
  }

  @Test
  void queueAndGuidelinesSurviveRestart() throws Exception {
    try (TestEnvironment environment = new TestEnvironment(directory);
        ScriptedModelServer model = new ScriptedModelServer();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      String extra = """
          fleet-sre.journal { url = "%s", user = "postgres", password = "" }
          fleet-sre.model { provider = openai, url = "%s", name = "scripted-model", api-key = "test-key-not-secret",
                            max-retries = 0 }
          fleet-sre.review.snapshot-every = 2
          """.formatted(postgres.getJdbcUrl("postgres", "postgres"), model.baseUrl());
      model.thenSubmit(request -> heldAnswer());

      String incidentId;
      try (Engine first = Engine.start(environment.config("first", extra))) {
        int port = first.bindHttp(0).getPort();
        HttpResponse<String> accepted = send(port, "POST", "/api/v1/alerts/alertmanager",
            TestEnvironment.alertmanagerPayload("HostDiskFull", "disk full", "restart-review", Instant.now().toString()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        incidentId = TestEnvironment.incidentId(accepted);
        awaitReview(port, incidentId);

        assertThat(send(port, "POST", "/api/v1/reviews/" + incidentId + "/claim", "{\"reviewer\": \"alice\"}")
            .statusCode()).isEqualTo(200);
        for (String text : new String[] {"Cite the command behind the root cause.", "Never delete database files."}) {
          HttpResponse<String> added = send(port, "POST", "/api/v1/guidelines", "{\"text\": \"" + text + "\"}");
          assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        }
      }

      try (Engine second = Engine.start(environment.config("second", extra))) {
        int port = second.bindHttp(0).getPort();

        JsonNode review = awaitReview(port, incidentId);
        assertThat(review.get("status").asText()).isEqualTo("claimed");
        assertThat(review.get("claim").get("reviewer").asText()).isEqualTo("alice");
        assertThat(review.get("incidentState").asText()).isEqualTo("awaiting-review");
        JsonNode guidelines = Json.mapper().readTree(send(port, "GET", "/api/v1/guidelines", null).body());
        assertThat(guidelines.get("version").asInt()).isEqualTo(2);
        assertThat(guidelines.get("guidelines").findValuesAsText("text"))
            .containsExactly("Cite the command behind the root cause.", "Never delete database files.");
        assertThat(send(port, "POST", "/api/v1/reviews/" + incidentId + "/claim", "{\"reviewer\": \"bob\"}")
            .statusCode()).isEqualTo(409);

        HttpResponse<String> decided = send(port, "POST", "/api/v1/reviews/" + incidentId + "/verdict",
            "{\"reviewer\": \"alice\", \"verdict\": \"correct\"}");
        assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
        environment.awaitInsight(incidentId, Duration.ofSeconds(60));
        Thread.sleep(1000);
        assertThat(environment.insightsOnStream(incidentId)).isEqualTo(1);
      }
      assertThat(model.remaining()).isZero();
    }
  }
}
