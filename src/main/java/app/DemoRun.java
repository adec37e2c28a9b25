package app;

import actors.IncidentState;
import agent.Insight;
import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fleet-sre demo}: the main job on the embedded default. It posts the bundled Alertmanager
 * alert to the engine's own HTTP API, as Alertmanager would, and prints the insight.
 */
final class DemoRun {

  private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);

  private static final String ALERT_RESOURCE = "/demo/alertmanager-disk.json";

  private final Config config;
  private final Duration timeout;

  DemoRun(Config config, Duration timeout) {
    this.config = config;
    this.timeout = timeout;
  }

  int run() throws Exception {
    try (Engine engine = Engine.start(config)) {
      engine.awaitKnowledgeBase();
      InetSocketAddress address = engine.bindHttp(0);
      String incidentId = postAlert(address, bundledAlert());
      LOG.info("demo alert accepted as incident [{}]; investigating this machine", incidentId);

      IncidentState state = IncidentWatch.awaitFinished(engine.intake(), incidentId, timeout);
      if (state.insight() == null) {
        System.err.println("fleet-sre: the demo incident ended without an insight: " + state.closeReason());
        return Main.EXIT_NO_INSIGHT;
      }
      printHuman(state.insight(), System.out);
      System.out.println();
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(state.insight()));
      return 0;
    }
  }

  /** The bundled alert with startsAt set to now, so each run is a new alert rather than a repeat delivery. */
  private static String bundledAlert() throws IOException {
    try (InputStream in = DemoRun.class.getResourceAsStream(ALERT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("bundled demo alert " + ALERT_RESOURCE + " is missing from the jar");
      }
      ObjectNode payload = (ObjectNode) Json.mapper().readTree(in);
      ((ObjectNode) payload.get("alerts").get(0)).put("startsAt", Instant.now().toString());
      return Json.write(payload);
    }
  }

  private String postAlert(InetSocketAddress address, String body) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + address.getPort() + "/api/v1/alerts/alertmanager");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    String token = config.getString("fleet-sre.http.bearer-token");
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException("the engine did not accept the demo alert: HTTP " + response.statusCode()
          + " " + response.body());
    }
    JsonNode accepted = Json.mapper().readTree(response.body()).get("accepted").get(0);
    return accepted.get("incidentId").asText();
  }

  /** Prints the insight for a person reading a terminal. */
  static void printHuman(Insight insight, PrintStream out) {
    out.println("Incident " + insight.incidentId() + " on " + insight.host() + " (" + insight.alert().kind()
        + "), playbook " + insight.playbook() + ", status " + insight.status());
    out.println();
    out.println("Summary:    " + insight.summary());
    out.println("Root cause: " + insight.rootCause());
    if (!insight.remediation().isEmpty()) {
      out.println();
      out.println("Remediation:");
      int step = 1;
      for (String line : insight.remediation()) {
        out.println("  " + step++ + ". " + line);
      }
    }
    if (!insight.fixes().isEmpty()) {
      out.println();
      out.println("Fixes:");
      for (Insight.Fix fix : insight.fixes()) {
        out.println("  [" + fix.risk() + " risk] " + fix.description());
        out.println("      " + fix.command());
      }
    }
    out.println();
    out.println("Investigated in " + insight.timings().investigationMillis() + " ms, "
        + insight.timings().steps() + " steps, " + insight.timings().commands() + " commands.");
  }
}
