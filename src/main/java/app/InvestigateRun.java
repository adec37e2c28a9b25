package app;

import actors.IncidentState;
import actors.IngestReply;
import agent.Json;
import api.AlertParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fleet-sre investigate}: one alert file in, the insight JSON out. Unless the configuration
 * names a journal, the run uses an in-memory one: a one-shot run has nothing to resume later.
 */
final class InvestigateRun {

  private static final Logger LOG = LoggerFactory.getLogger(InvestigateRun.class);

  private final Config config;
  private final Path alertFile;
  private final Duration timeout;

  InvestigateRun(Config config, Path alertFile, Duration timeout) {
    this.config = config;
    this.alertFile = alertFile;
    this.timeout = timeout;
  }

  int run() throws Exception {
    List<AlertParser.ParsedAlert> alerts = readAlerts(config, alertFile);
    Config effective = config;
    if (config.getString("fleet-sre.journal.url").isEmpty()) {
      effective = ConfigFactory.empty()
          .withValue("fleet-sre.journal.url",
              ConfigValueFactory.fromAnyRef("jdbc:h2:mem:investigate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE"))
          .withFallback(config);
    }

    try (Engine engine = Engine.start(effective)) {
      engine.awaitKnowledgeBase();
      List<IncidentState> finished = new ArrayList<>();
      for (AlertParser.ParsedAlert parsed : alerts) {
        if (parsed.resolved()) {
          LOG.info("skipping resolved alert [{}] for host [{}]: there is nothing to investigate",
              parsed.alert().kind(), parsed.alert().host());
          continue;
        }
        IngestReply.Accepted accepted = engine.intake().firing(parsed.alert()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("alert [{}] for host [{}] is incident [{}] ({})",
            parsed.alert().kind(), parsed.alert().host(), accepted.incidentId(), accepted.disposition());
        finished.add(IncidentWatch.awaitFinished(engine.intake(), accepted.incidentId(), timeout));
      }
      return print(finished);
    }
  }

  /**
   * Prints each insight with the judge's verdict and the incident's state ({@code published},
   * {@code awaiting-review}, ...) added, so a held insight is not mistaken for a published one.
   */
  private static int print(List<IncidentState> finished) throws IOException {
    ArrayNode insights = Json.mapper().createArrayNode();
    boolean held = false;
    for (IncidentState state : finished) {
      if (state.insight() != null) {
        com.fasterxml.jackson.databind.node.ObjectNode insight = Json.mapper().valueToTree(state.insight());
        insight.put("state", state.phase().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        insight.set("verdict", Json.mapper().valueToTree(state.verdict()));
        insights.add(insight);
        if (state.verdict() != null && !state.deliverable()) {
          held = true;
          System.err.println("fleet-sre: the insight of incident " + state.incidentId() + " is held for review: "
              + String.join("; ", state.verdict().reasons()));
        }
      } else {
        LOG.error("incident [{}] on host [{}] ended without an insight: {} {}",
            state.incidentId(), state.host(), state.outcome(), state.closeReason());
      }
    }
    if (insights.isEmpty()) {
      System.err.println("fleet-sre: no insight was produced");
      return Main.EXIT_NO_INSIGHT;
    }
    JsonNode output = insights.size() == 1 ? insights.get(0) : insights;
    System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(output));
    if (insights.size() != finished.size()) {
      return Main.EXIT_NO_INSIGHT;
    }
    return held ? Main.EXIT_HELD : 0;
  }

  /** Reads and validates an alert file of either format; problems name the file and the field. */
  static List<AlertParser.ParsedAlert> readAlerts(Config config, Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("--alert: cannot read [" + file + "]: " + e.getMessage());
    }
    AlertParser parser = new AlertParser(config.getStringList("fleet-sre.ingest.host-labels"));
    try {
      return parser.parseAny(Json.mapper().readTree(text), Instant.now());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("--alert: [" + file + "] is not valid JSON: " + e.getOriginalMessage());
    } catch (AlertParser.InvalidAlertException e) {
      StringBuilder message = new StringBuilder("--alert: [" + file + "] is not a valid alert:");
      for (AlertParser.Problem problem : e.problems()) {
        message.append("\n  ").append(problem.field()).append(": ").append(problem.problem());
      }
      throw new IllegalArgumentException(message.toString());
    }
  }
}
