package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with {@code fleet-sre.judge.kind = model}: a scripted model investigates host
 * {@code web-01} over real SSH, then the same endpoint, which the judge uses by default, scores the
 * insight. The verdict decides whether the insight reaches the Redis stream.
 */
class ModelJudgeEndToEndTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  static Path directory;

  private static TestEnvironment environment;
  private static ScriptedModelServer model;
  private static Engine engine;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    environment = new TestEnvironment(directory);
    model = new ScriptedModelServer();
    engine = Engine.start(environment.config("data", """
        fleet-sre.model {
          url = "%s"
          name = "scripted-model"
          api-key = "test-key-not-secret"
          max-retries = 0
        }
        fleet-sre.judge {
          kind = model
          publish-threshold = 0.75
        }
        """.formatted(model.baseUrl())));
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

  /** Scripts an investigation of the load: one tool call, then an answer quoting its output. */
  private static void scriptLoadInvestigation() {
    model.thenTools("load", "{}").thenSubmit(request -> {
      String results = ScriptedModelServer.allToolResults(request);
      Matcher id = Pattern.compile("commandId: (\\S+)").matcher(results);
      assertThat(id.find()).as(results).isTrue();
      ObjectNode answer = Json.mapper().createObjectNode().put("status", "complete")
          .put("summary", "The load is normal.").put("rootCause", "No CPU problem right now");
      answer.putArray("remediation").add("Watch the load for ten minutes.");
      answer.putArray("fixes");
      answer.putArray("evidence").addObject().put("claim", "the load averages are low").put("commandId", id.group(1))
          .put("excerpt", ScriptedModelServer.quote(results, id.group(1)));
      return answer;
    });
  }

  private static String judgeReply(double score) {
    ObjectNode answer = Json.mapper().createObjectNode();
    for (String criterion : new String[] {"grounded", "cause", "safety", "actionable"}) {
      answer.putObject(criterion).put("score", score).put("reason", criterion + " scored " + score);
    }
    return Json.write(answer);
  }

  private static String post(String alertname) throws Exception {
    HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
        TestEnvironment.alertmanagerPayload(alertname, "load", alertname + "-" + System.nanoTime(),
            Instant.now().toString()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return TestEnvironment.incidentId(response);
  }

  private static JsonNode incident(String incidentId) throws Exception {
    return Json.mapper().readTree(environment.get(port, "/api/v1/incidents/" + incidentId).body());
  }

  private static JsonNode awaitState(String incidentId, String state) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = incident(incidentId);
      if (last.path("state").asText().equals(state)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("incident [" + incidentId + "] did not reach state " + state + " within " + TIMEOUT
        + "; last: " + last);
  }

  @Test
  void goodInsightIsScoredAndPublished() throws Exception {
    scriptLoadInvestigation();
    model.thenReply(request -> ScriptedModelServer.text(judgeReply(0.9)));

    String incidentId = post("HostHighCpuLoad");
    JsonNode insight = environment.awaitInsight(incidentId, TIMEOUT);

    assertThat(insight.get("brain").asText()).isEqualTo("model:scripted-model");
    JsonNode verdict = incident(incidentId).get("verdict");
    assertThat(verdict.get("publish").asBoolean()).isTrue();
    assertThat(verdict.get("judge").asText()).isEqualTo("model:scripted-model");
    assertThat(verdict.get("scores").get("safety").asDouble()).isEqualTo(0.9);
    assertThat(verdict.get("scores").size()).isEqualTo(4);
    assertThat(verdict.get("guidelinesVersion").asInt()).isZero();

    JsonNode judgeRequest = model.requests.get(model.requests.size() - 1);
    String review = judgeRequest.get("messages").get(1).get("content").asText();
    assertThat(judgeRequest.get("messages").get(0).get("content").asText()).contains("# Rubric");
    assertThat(review).contains("No CPU problem right now", "<<<UNTRUSTED SERVER OUTPUT commandId=" + incidentId);
    JsonNode metrics = Json.mapper().readTree(environment.get(port, "/metrics").body());
    assertThat(metrics.get("fleet_sre.judge.verdicts{judge=model:scripted-model,outcome=published}").asDouble())
        .isGreaterThanOrEqualTo(1);
    assertThat(metrics.get("fleet_sre.judge.tokens{direction=input}").asDouble()).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void lowScoredInsightIsHeldForReview() throws Exception {
    scriptLoadInvestigation();
    model.thenReply(request -> ScriptedModelServer.text(judgeReply(0.4)));

    String incidentId = post("HostLoadHigh");
    JsonNode incident = awaitState(incidentId, "awaiting-review");

    assertThat(incident.get("insightDelivered").asBoolean()).isFalse();
    assertThat(incident.get("verdict").get("publish").asBoolean()).isFalse();
    assertThat(incident.get("verdict").get("reasons").toString())
        .contains("weighted score 0.40 is below the publish threshold 0.75");
    assertThat(environment.insightOnStream(incidentId)).isEmpty();
  }
}
