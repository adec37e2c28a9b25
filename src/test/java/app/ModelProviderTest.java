package app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model providers and failures: a down endpoint, an open circuit breaker, Anthropic's own API. */
class ModelProviderTest {

  @TempDir
  Path directory;

  @Test
  void anthropicProviderSpeaksTheMessagesApi() throws Exception {
    try (TestEnvironment environment = new TestEnvironment(directory);
        ScriptedModelServer model = new ScriptedModelServer();
        Engine engine = Engine.start(environment.config("data", """
            fleet-sre.model { provider = anthropic, url = "%s/", name = "claude-scripted", api-key = "test" }
            """.formatted(model.baseUrl())))) {
      int port = engine.bindHttp(0).getPort();
      model.thenReply(request -> ScriptedModelServer.anthropicToolUse("load", agent.Json.mapper().createObjectNode()))
          .thenReply(request -> {
            String conversation = request.toString();
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("commandId[=: ]+([A-Za-z0-9_.:-]*[0-9])")
                .matcher(conversation);
            assertThat(id.find()).as(conversation).isTrue();
            var answer = agent.Json.mapper().createObjectNode().put("status", "complete")
                .put("summary", "Load is normal.").put("rootCause", "No load problem");
            answer.putArray("remediation").add("None.");
            answer.putArray("fixes");
            answer.putArray("evidence").addObject().put("claim", "load is low").put("commandId", id.group(1))
                .put("excerpt", ScriptedModelServer.quote(ScriptedModelServer.allTexts(request), id.group(1)));
            return ScriptedModelServer.anthropicToolUse("submit_insight", answer);
          });

      HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
          TestEnvironment.alertmanagerPayload("HostLoadHigh", "load", "anthropic-1", Instant.now().toString()));
      JsonNode insight = environment.awaitInsight(TestEnvironment.incidentId(response), Duration.ofSeconds(90));

      assertThat(insight.get("brain").asText()).isEqualTo("model:claude-scripted");
      assertThat(insight.get("rootCause").asText()).isEqualTo("No load problem");
      assertThat(insight.get("usage").get("inputTokens").asLong()).isEqualTo(1600);
      assertThat(model.requests.get(0).get("tools").findValuesAsText("name")).contains("load", "submit_insight");
    }
  }

  @Test
  void openBreakerSkipsTheModel() throws Exception {
    try (TestEnvironment environment = new TestEnvironment(directory);
        ScriptedModelServer model = new ScriptedModelServer();
        Engine engine = Engine.start(environment.config("data", """
            fleet-sre.model {
              url = "%s"
              name = "failing-model"
              max-retries = 0
              circuit-breaker { max-failures = 1, reset-timeout = 10m }
            }
            """.formatted(model.baseUrl())))) {
      int port = engine.bindHttp(0).getPort();
      model.thenStatus(500, java.util.Map.of());

      for (String fingerprint : java.util.List.of("breaker-1", "breaker-2")) {
        HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
            TestEnvironment.alertmanagerPayload("Load" + fingerprint, "load", fingerprint, Instant.now().toString()));
        JsonNode insight = environment.awaitInsight(TestEnvironment.incidentId(response), Duration.ofSeconds(90));
        assertThat(insight.get("summary").asText()).startsWith("The model was unavailable");
      }

      assertThat(model.requests).hasSize(1);
    }
  }

  @Test
  void downEndpointFallsBackToPlaybook() throws Exception {
    int closedPort = TestEnvironment.freePort();
    try (TestEnvironment environment = new TestEnvironment(directory);
        Engine engine = Engine.start(environment.config("data", """
            fleet-sre.model {
              provider = openai
              url = "http://127.0.0.1:%d/v1"
              name = "absent-model"
              max-retries = 1
              retry-base-delay = 50ms
              turn-timeout = 5s
            }
            """.formatted(closedPort)))) {
      int port = engine.bindHttp(0).getPort();

      HttpResponse<String> response = environment.post(port, "/api/v1/alerts/alertmanager",
          TestEnvironment.alertmanagerPayload("NginxDown", "site down", "fallback-1", Instant.now().toString()));
      JsonNode insight = environment.awaitInsight(TestEnvironment.incidentId(response), Duration.ofSeconds(90));

      assertThat(insight.get("summary").asText()).startsWith("The model was unavailable");
      assertThat(insight.get("summary").asText()).doesNotContain("Exception");
      assertThat(insight.get("brain").asText()).isEqualTo("playbook (fallback from model:absent-model)");
      assertThat(insight.get("playbook").asText()).isEqualTo("config-downtime");
      assertThat(insight.get("rootCause").asText()).contains(HostFixture.BROKEN_DIRECTIVE);
      assertThat(insight.get("usage").get("modelTurns").asInt()).isZero();
      assertThat(engine.meters().counter("fleet_sre.model.failures").count()).isEqualTo(1.0);
    }
  }
}
