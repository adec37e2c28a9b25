package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP edge with a bearer token: authentication, input errors, dedup and resolution. */
class HttpApiTest {

  private static final String TOKEN = "test-token-5f2c";

  @TempDir
  static Path directory;

  private static TestEnvironment environment;
  private static Engine engine;
  private static int port;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    environment = new TestEnvironment(directory);
    engine = Engine.start(environment.config("data", "fleet-sre.http.bearer-token = \"" + TOKEN + "\"\n"));
    port = engine.bindHttp(0).getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    environment.close();
  }

  private static HttpResponse<String> send(String method, String path, String contentType, String body, String token)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postAlert(String body) throws Exception {
    return send("POST", "/api/v1/alerts", "application/json", body, TOKEN);
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void missingOrWrongTokenGets401() throws Exception {
    String alert = "{\"host\":\"web-01\",\"kind\":\"A\"}";

    HttpResponse<String> missing = send("POST", "/api/v1/alerts", "application/json", alert, null);
    HttpResponse<String> wrong = send("POST", "/api/v1/alerts", "application/json", alert, "guess");

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(json(missing).get("error").asText()).contains("Authorization");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v1/incidents/x", null, null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void invalidAlertGets400NamingTheField() throws Exception {
    HttpResponse<String> response = postAlert("{\"host\":\"web 01\",\"summary\":\"x\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json(response);
    assertThat(body.get("error").asText()).isEqualTo("invalid alert");
    assertThat(body.get("details").findValuesAsText("field")).containsExactlyInAnyOrder("$.host", "$.kind");
  }

  @Test
  void malformedJsonGets400() throws Exception {
    HttpResponse<String> response = postAlert("{\"host\": ");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").asText()).startsWith("invalid JSON");
  }

  @Test
  void wrongContentTypeGets415() throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/alerts", "text/plain", "host=web-01", TOKEN);

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(json(response).get("error").asText()).contains("application/json");
  }

  @Test
  void bodyOverLimitGets413() throws Exception {
    String huge = "{\"host\":\"web-01\",\"kind\":\"A\",\"summary\":\"" + "x".repeat(1_200_000) + "\"}";

    HttpResponse<String> response = postAlert(huge);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).get("error").asText()).contains("limit");
  }

  @Test
  void chunkedBodyOverLimitGets413() throws Exception {
    byte[] huge = ("{\"host\":\"web-01\",\"kind\":\"A\",\"summary\":\"" + "x".repeat(1_200_000) + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/alerts"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge)))
        .build();

    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).get("error").asText()).contains("limit");
  }

  @Test
  void unknownApiRouteGetsJsonError() throws Exception {
    HttpResponse<String> notFound = send("GET", "/api/v1/nothing-here", null, null, TOKEN);
    HttpResponse<String> wrongMethod = send("DELETE", "/api/v1/alerts", null, null, TOKEN);

    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(json(notFound).get("error").asText()).isNotBlank();
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(json(wrongMethod).get("error").asText()).contains("POST");
  }

  @Test
  void alertmanagerPayloadOnNativeRouteGetsHint() throws Exception {
    HttpResponse<String> response = postAlert(
        TestEnvironment.alertmanagerPayload("A", "s", "hint-1", Instant.now().toString()));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("/api/v1/alerts/alertmanager");
  }

  @Test
  void alertmanagerPayloadKeepsValidAlertBesideInvalidOne() throws Exception {
    String payload = TestEnvironment.alertmanagerPayload("NginxDown", "site down", "mixed-1", Instant.now().toString())
        .replace("\"fingerprint\":\"mixed-1\"}]}",
            "\"fingerprint\":\"mixed-1\"},{\"status\":\"firing\",\"labels\":{\"alertname\":\"ClusterWide\","
                + "\"job\":\"x\"},\"annotations\":{},\"startsAt\":\"" + Instant.now() + "\"}]}");

    HttpResponse<String> response = send("POST", "/api/v1/alerts/alertmanager", "application/json", payload, TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonNode body = json(response);
    assertThat(body.get("accepted")).hasSize(1);
    assertThat(body.get("accepted").get(0).get("kind").asText()).isEqualTo("NginxDown");
    assertThat(body.get("skipped")).hasSize(1);
    assertThat(body.get("skipped").get(0).get("field").asText()).isEqualTo("$.alerts[1].labels");
    assertThat(body.get("skipped").get(0).get("problem").asText()).contains("no host label");
  }

  @Test
  void alertmanagerPayloadWithOnlyInvalidAlertsGets400() throws Exception {
    String payload = TestEnvironment.alertmanagerPayload("NginxDown", "site down", "bad-1", Instant.now().toString())
        .replace("\"instance\":\"" + TestEnvironment.HOST + ":9100\",", "");

    HttpResponse<String> response = send("POST", "/api/v1/alerts/alertmanager", "application/json", payload, TOKEN);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("$.alerts[0].labels");
  }

  @Test
  void unknownIncidentGets404() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/incidents/no-such-incident", null, null, TOKEN);

    assertThat(response.statusCode()).isEqualTo(404);
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    assertThat(send("GET", "/health/live", null, null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/health/ready", null, null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void repeatDeliveryIsHeartbeatAndResolvedClosesIncident() throws Exception {
    // The nginx configuration test waits at the gate, so the incident cannot conclude meanwhile.
    environment.fixture.closeGate();
    try {
      checkDedupAndResolution();
    } finally {
      environment.fixture.openGate();
    }
  }

  private void checkDedupAndResolution() throws Exception {
    String startsAt = Instant.now().toString();
    String firing = TestEnvironment.alertmanagerPayload("NginxDown", "site down", "dedup-1", startsAt);

    HttpResponse<String> first = send("POST", "/api/v1/alerts/alertmanager", "application/json", firing, TOKEN);
    HttpResponse<String> repeat = send("POST", "/api/v1/alerts/alertmanager", "application/json", firing, TOKEN);
    HttpResponse<String> other = postAlert("{\"host\":\"web-01\",\"kind\":\"NginxDown\",\"fingerprint\":\"dedup-2\"}");

    assertThat(first.statusCode()).isEqualTo(202);
    String incidentId = TestEnvironment.incidentId(first);
    assertThat(json(first).get("accepted").get(0).get("disposition").asText()).isEqualTo("opened");
    assertThat(TestEnvironment.incidentId(repeat)).isEqualTo(incidentId);
    assertThat(json(repeat).get("accepted").get(0).get("disposition").asText()).isEqualTo("heartbeat");
    assertThat(TestEnvironment.incidentId(other)).isEqualTo(incidentId);

    String resolved = firing.replace("\"status\":\"firing\",\"labels\"", "\"status\":\"resolved\",\"labels\"");
    HttpResponse<String> close = send("POST", "/api/v1/alerts/alertmanager", "application/json", resolved, TOKEN);
    assertThat(json(close).get("accepted").get(0).get("disposition").asText()).isEqualTo("resolved");

    JsonNode incident = json(send("GET", "/api/v1/incidents/" + incidentId, null, null, TOKEN));
    assertThat(incident.get("state").asText()).isEqualTo("closed");
    assertThat(incident.get("alertsReceived").asInt()).isEqualTo(3);

    HttpResponse<String> refire = send("POST", "/api/v1/alerts/alertmanager", "application/json",
        TestEnvironment.alertmanagerPayload("NginxDown", "site down", "dedup-1", Instant.now().plusSeconds(60).toString()),
        TOKEN);
    assertThat(TestEnvironment.incidentId(refire)).isNotEqualTo(incidentId);
    assertThat(json(refire).get("accepted").get(0).get("disposition").asText()).isEqualTo("opened");
  }
}
