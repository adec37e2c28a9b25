package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review API over real HTTP with a bearer token. A scripted model writes insights that the
 * structural judge holds or publishes, and reviewers list, claim and decide them. A released insight
 * reaches the Redis stream once and a rejected one never does. Every published insight is sampled
 * here (default rate 1), so published ones are reviewable too.
 */
class ReviewApiTest {

  private static final String TOKEN = "review-token-7d1e";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  static Path directory;

  private static TestEnvironment environment;
  private static ScriptedModelServer model;
  private static Engine engine;
  private static int port;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    environment = new TestEnvironment(directory);
    model = new ScriptedModelServer();
    engine = Engine.start(environment.config("data", """
        fleet-sre.http.bearer-token = "%s"
        fleet-sre.model {
          provider = openai
          url = "%s"
          name = "scripted-model"
          api-key = "test-key-not-secret"
          max-retries = 0
          circuit-breaker.max-failures = 100
        }
        fleet-sre.review.sampling.default-rate = 1.0
        fleet-sre.review.apply-retry = 200ms
        """.formatted(TOKEN, model.baseUrl())));
    port = engine.bindHttp(0).getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    model.close();
    environment.close();
  }

  @AfterEach
  void scriptWasUsedUp() {
    assertThat(model.remaining()).as("scripted replies left unused").isZero();
  }

  // ---- HTTP ----

  private static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, TOKEN);
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return send("POST", path, body, TOKEN);
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  // ---- scripted insights ----

  /** Scripts one turn whose insight cites no command that ran, so the judge holds it. */
  private static void scriptHeldInsight() {
    model.thenSubmit(request -> answer("The disk is full.", "An old backup fills /var/backups.", "made-up:9.9"));
  }

  /** Scripts a disk_usage call and an insight quoting its output, which the judge publishes. */
  private static void scriptPublishedInsight() {
    model.thenTools("disk_usage", "{}")
        .thenSubmit(request -> {
          String toolResults = ScriptedModelServer.allToolResults(request);
          String cited = ScriptedModelServer.lastCommandId(toolResults);
          return answer("The disk is full.", "Old backups fill the disk.", cited,
              ScriptedModelServer.quote(toolResults, cited));
        });
  }

  private static ObjectNode answer(String summary, String rootCause, String commandId) {
    return answer(summary, rootCause, commandId, "see tool result");
  }

  private static ObjectNode answer(String summary, String rootCause, String commandId, String excerpt) {
    ObjectNode answer = Json.mapper().createObjectNode()
        .put("status", "complete").put("summary", summary).put("rootCause", rootCause);
    answer.putArray("remediation").add("Delete the old backup.");
    answer.putArray("fixes").addObject().put("description", "check").put("command", "true").put("risk", "low");
    answer.putArray("evidence").addObject().put("claim", rootCause).put("commandId", commandId)
        .put("excerpt", excerpt);
    return answer;
  }

  private static String postAlert(String fingerprint) throws Exception {
    HttpResponse<String> response = post("/api/v1/alerts/alertmanager",
        TestEnvironment.alertmanagerPayload("HostDiskFull", "disk full", fingerprint, Instant.now().toString()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return TestEnvironment.incidentId(response);
  }

  /** Polls {@code GET /api/v1/reviews/{id}} until the review is there and returns it. */
  private static JsonNode awaitReview(String reviewId) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get("/api/v1/reviews/" + reviewId);
      if (response.statusCode() == 200) {
        return json(response);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("review [" + reviewId + "] never appeared in the queue");
  }

  private static JsonNode awaitIncidentState(String incidentId, String state) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    JsonNode incident = null;
    while (System.nanoTime() < deadline) {
      incident = json(get("/api/v1/incidents/" + incidentId));
      if (incident.get("state").asText().equals(state)) {
        return incident;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("incident [" + incidentId + "] never reached state [" + state + "]: " + incident);
  }

  private static String verdict(String reviewer, String verdict) {
    return Json.write(Json.mapper().createObjectNode().put("reviewer", reviewer).put("verdict", verdict)
        .put("notes", "checked on the host").set("labels", Json.mapper().createArrayNode().add("backups")));
  }

  private static String reviewer(String name) {
    return Json.write(Json.mapper().createObjectNode().put("reviewer", name));
  }

  // ---- tests ----

  @Test
  void heldInsightApprovedIsDeliveredOnce() throws Exception {
    scriptHeldInsight();
    String incidentId = postAlert("review-approve");
    JsonNode review = awaitReview(incidentId);

    assertThat(review.get("status").asText()).isEqualTo("pending");
    assertThat(review.get("held").asBoolean()).isTrue();
    assertThat(review.get("verdict").get("publish").asBoolean()).isFalse();
    assertThat(review.get("verdict").get("reasons").toString()).contains("cites no evidence");
    assertThat(review.get("insight").get("incidentId").asText()).isEqualTo(incidentId);
    assertThat(review.get("incidentState").asText()).isEqualTo("awaiting-review");
    JsonNode pending = json(get("/api/v1/reviews?status=pending&useCase=" + review.get("useCase").asText()));
    assertThat(pending.get("reviews").findValuesAsText("reviewId")).contains(incidentId);

    HttpResponse<String> claimed = post("/api/v1/reviews/" + incidentId + "/claim", reviewer("alice"));
    assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
    assertThat(json(claimed).get("status").asText()).isEqualTo("claimed");
    assertThat(json(claimed).get("claim").get("reviewer").asText()).isEqualTo("alice");
    HttpResponse<String> taken = post("/api/v1/reviews/" + incidentId + "/claim", reviewer("bob"));
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(json(taken).get("error").asText()).contains("alice");
    assertThat(post("/api/v1/reviews/" + incidentId + "/verdict", verdict("bob", "wrong")).statusCode())
        .isEqualTo(409);
    assertThat(environment.insightsOnStream(incidentId)).as("a held insight is not delivered").isZero();

    HttpResponse<String> decided = post("/api/v1/reviews/" + incidentId + "/verdict", verdict("alice", "correct"));
    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
    assertThat(json(decided).get("decision").get("verdict").asText()).isEqualTo("correct");
    assertThat(json(decided).get("decision").get("agrees").asBoolean()).isFalse();

    JsonNode insight = environment.awaitInsight(incidentId, TIMEOUT);
    assertThat(insight.get("incidentId").asText()).isEqualTo(incidentId);
    HttpResponse<String> again = post("/api/v1/reviews/" + incidentId + "/verdict", verdict("alice", "partly-correct"));
    assertThat(again.statusCode()).isEqualTo(409);
    JsonNode incident = awaitIncidentState(incidentId, "published");
    assertThat(incident.get("insightDelivered").asBoolean()).isTrue();
    assertThat(incident.get("review").get("decision").get("reviewer").asText()).isEqualTo("alice");
    Thread.sleep(1000);
    assertThat(environment.insightsOnStream(incidentId)).isEqualTo(1);
    assertThat(json(get("/api/v1/reviews/" + incidentId)).get("applied").asBoolean()).isTrue();
  }

  @Test
  void heldInsightRejectedIsNeverDelivered() throws Exception {
    scriptHeldInsight();
    String incidentId = postAlert("review-reject");
    awaitReview(incidentId);

    HttpResponse<String> decided = post("/api/v1/reviews/" + incidentId + "/verdict", verdict("carol", "unsafe"));

    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
    assertThat(json(decided).get("decision").get("agrees").asBoolean()).isTrue();
    JsonNode incident = awaitIncidentState(incidentId, "closed");
    assertThat(incident.get("outcome").asText()).isEqualTo("rejected");
    assertThat(incident.get("insightDelivered").asBoolean()).isFalse();
    Thread.sleep(1000);
    assertThat(environment.insightsOnStream(incidentId)).isZero();
  }

  @Test
  void agreementMetricCountsByUseCase() throws Exception {
    scriptPublishedInsight();
    String incidentId = postAlert("review-sampled");
    environment.awaitInsight(incidentId, TIMEOUT);
    JsonNode review = awaitReview(incidentId);
    assertThat(review.get("held").asBoolean()).isFalse();
    assertThat(review.get("reason").asText()).startsWith("sampled (default, rate 1.000");
    String useCase = review.get("useCase").asText();
    String disagree = "fleet_sre.review.agreement{result=disagree,use_case=" + useCase + "}";
    String agree = "fleet_sre.review.agreement{result=agree,use_case=" + useCase + "}";
    JsonNode before = json(send("GET", "/metrics", null, null));
    JsonNode statsBefore = json(get("/api/v1/reviews/stats"));

    HttpResponse<String> decided = post("/api/v1/reviews/" + incidentId + "/verdict", verdict("dave", "wrong"));

    assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
    JsonNode after = json(send("GET", "/metrics", null, null));
    assertThat(after.path(disagree).asDouble()).isEqualTo(before.path(disagree).asDouble() + 1);
    assertThat(after.path(agree).asDouble()).isEqualTo(before.path(agree).asDouble());
    double agreed = after.path(agree).asDouble();
    double total = agreed + after.path(disagree).asDouble();
    assertThat(after.get("fleet_sre.review.agreement.ratio{use_case=" + useCase + "}").asDouble())
        .isEqualTo(agreed / total);
    JsonNode stats = json(get("/api/v1/reviews/stats"));
    assertThat(stats.get("byUseCase").get(useCase).get("disagree").asLong())
        .isEqualTo(statsBefore.path("byUseCase").path(useCase).path("disagree").asLong() + 1);
    assertThat(stats.get("total").get("disagree").asLong())
        .isEqualTo(statsBefore.get("total").get("disagree").asLong() + 1);
  }

  @Test
  void guidelineFromReviewRaisesVersion() throws Exception {
    scriptHeldInsight();
    String source = postAlert("review-guideline");
    awaitReview(source);
    int before = json(get("/api/v1/guidelines")).get("version").asInt();

    HttpResponse<String> added = post("/api/v1/guidelines", Json.write(Json.mapper().createObjectNode()
        .put("text", "An insight must cite the command behind its root cause.").put("reviewId", source)));

    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    assertThat(json(added).get("version").asInt()).isEqualTo(before + 1);
    assertThat(json(added).get("guideline").get("source").asText()).isEqualTo(source);
    JsonNode listed = json(get("/api/v1/guidelines"));
    assertThat(listed.get("version").asInt()).isEqualTo(before + 1);
    assertThat(listed.get("guidelines").findValuesAsText("text"))
        .contains("An insight must cite the command behind its root cause.");
    assertThat(engine.guidelines().current().version()).isEqualTo(before + 1);

    scriptHeldInsight();
    String judgedAfter = postAlert("review-guideline-after");
    assertThat(awaitReview(judgedAfter).get("verdict").get("guidelinesVersion").asInt()).isEqualTo(before + 1);
  }

  @Test
  void invalidRequestsNameTheField() throws Exception {
    HttpResponse<String> unknown = get("/api/v1/reviews/no-such-review");
    HttpResponse<String> claimUnknown = post("/api/v1/reviews/no-such-review/claim", reviewer("alice"));
    HttpResponse<String> decideUnknown = post("/api/v1/reviews/no-such-review/verdict", verdict("alice", "correct"));
    HttpResponse<String> badVerdict = post("/api/v1/reviews/no-such-review/verdict", verdict("alice", "maybe"));
    HttpResponse<String> noReviewer = post("/api/v1/reviews/no-such-review/claim", "{}");
    HttpResponse<String> badStatus = get("/api/v1/reviews?status=open");
    HttpResponse<String> badLimit = get("/api/v1/reviews?limit=0");
    HttpResponse<String> malformed = post("/api/v1/reviews/x/claim", "{\"reviewer\": ");
    HttpResponse<String> noText = post("/api/v1/guidelines", "{\"reviewId\": 7}");
    HttpResponse<String> unknownSource = post("/api/v1/guidelines",
        "{\"text\": \"Check the config test.\", \"reviewId\": \"no-such-review\"}");
    HttpRequest textPlain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/guidelines"))
        .header("Content-Type", "text/plain").header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("text")).build();
    HttpResponse<String> wrongType = HTTP.send(textPlain, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> noToken = send("GET", "/api/v1/reviews", null, null);

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("error").asText()).contains("no-such-review");
    assertThat(claimUnknown.statusCode()).isEqualTo(404);
    assertThat(decideUnknown.statusCode()).isEqualTo(404);
    assertThat(badVerdict.statusCode()).isEqualTo(400);
    assertThat(json(badVerdict).get("details").findValuesAsText("field")).containsExactly("$.verdict");
    assertThat(json(badVerdict).get("details").findValuesAsText("problem").get(0)).contains("partly-correct");
    assertThat(noReviewer.statusCode()).isEqualTo(400);
    assertThat(json(noReviewer).get("details").findValuesAsText("field")).containsExactly("$.reviewer");
    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(json(badStatus).get("details").findValuesAsText("field")).containsExactly("status");
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(json(badLimit).get("details").findValuesAsText("field")).containsExactly("limit");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).get("error").asText()).startsWith("invalid JSON");
    assertThat(noText.statusCode()).isEqualTo(400);
    assertThat(json(noText).get("details").findValuesAsText("field")).containsExactlyInAnyOrder("$.text", "$.reviewId");
    assertThat(unknownSource.statusCode()).isEqualTo(404);
    assertThat(json(unknownSource).get("details").findValuesAsText("field")).containsExactly("$.reviewId");
    assertThat(wrongType.statusCode()).isEqualTo(415);
    assertThat(noToken.statusCode()).isEqualTo(401);
  }
}
