package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import fleet.CommandOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class InsightSchemaTest {

  private final Analyzers analyzers = Fixtures.analyzers();
  private final PlaybookBrain brain = PlaybookBrain.fromConfig(Fixtures.fleetSre(), analyzers, Fixtures.CLOCK);

  private static JsonNode parse(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** Serialises an insight the way the sinks publish it and parses it back. */
  private static ObjectNode published(Insight insight) {
    return (ObjectNode) parse(Json.write(insight));
  }

  private static Insight insightOf(Alert alert, InsightDraft draft, int steps, int commands) {
    Insight.Timings timings = new Insight.Timings(Fixtures.NOW, Fixtures.NOW.plusMillis(42_250), 42_250, steps, commands);
    return new Insight(Insight.SCHEMA_VERSION, "inc-1", alert.host(), alert, draft.playbook(), draft.status(),
        draft.summary(), draft.rootCause(), draft.remediation(), draft.fixes(), draft.kbLinks(), draft.evidence(),
        timings, "playbook");
  }

  private Insight investigate(PlaybookBrain brain, Alert alert, Function<Brain.PlannedCommand, CommandOutput> host) {
    Incident incident = new Incident(brain, alert, analyzers);
    InsightDraft draft = incident.run(host);
    return insightOf(alert, draft, incident.stepsTaken, incident.transcript.size());
  }

  /** Insights of the recorded hosts of PlaybookBrainTest: every playbook and every status. */
  private Map<String, Insight> realInsights() {
    Map<String, Insight> insights = new LinkedHashMap<>();
    Alert disk = new Alert("web01", "HostDiskFull", "critical", "Disk / is 97% full", Map.of("mountpoint", "/"),
        Map.of("runbook", "https://wiki.example.com/disk"), Fixtures.NOW, "fp-disk", "alertmanager");
    insights.put("disk-space", investigate(brain, disk, PlaybookBrainTest::diskHost));
    insights.put("excessive-requests",
        investigate(brain, Incident.alert("HighRequestRate", Map.of(), ""), PlaybookBrainTest::webHost));
    insights.put("config-downtime",
        investigate(brain, Incident.alert("NginxDown", Map.of(), ""), PlaybookBrainTest::brokenNginxHost));
    insights.put("resource-hogs",
        investigate(brain, Incident.alert("HostHighCpuLoad", Map.of(), ""), PlaybookBrainTest::busyHost));
    insights.put("general-triage",
        investigate(brain, Incident.alert("Watchdog", Map.of(), ""), PlaybookBrainTest::triageHost));
    insights.put("unreachable", investigate(brain, Incident.alert("HostDiskFull", Map.of(), ""),
        command -> CommandOutput.failed(CommandOutput.Outcome.UNREACHABLE, "connect timed out", Duration.ofSeconds(10))));
    insights.put("all rejected", investigate(brain, Incident.alert("NginxDown", Map.of(), ""), command -> null));
    PlaybookBrain oneStep = PlaybookBrain.fromConfig(
        ConfigFactory.parseString("playbooks.max-steps = 1").withFallback(Fixtures.fleetSre()), analyzers, Fixtures.CLOCK);
    insights.put("step limit", investigate(oneStep, Incident.alert("HostDiskFull", Map.of(), ""), PlaybookBrainTest::diskHost));
    Alert watchdog = Incident.alert("Watchdog", Map.of(), "");
    insights.put("engine failure", insightOf(watchdog, actors.IncidentState.failedDraft("the brain timed out"), 0, 0));
    return insights;
  }

  @Test
  void insightSchemaAcceptsRealInsights() {
    Map<String, Insight> insights = realInsights();

    assertThat(insights.values()).extracting(Insight::status).contains("complete", "partial", "failed");
    insights.forEach((name, insight) ->
        assertThat(InsightSchema.insight().validate(published(insight))).as(name).isEmpty());
  }

  @Test
  void insightSchemaRejectsBrokenVariants() {
    ObjectNode valid = published(realInsights().get("disk-space"));
    assertThat(valid.get("fixes")).isNotEmpty();
    assertThat(valid.get("kbLinks")).isNotEmpty();
    Map<String, Consumer<ObjectNode>> breakages = new LinkedHashMap<>();
    breakages.put("$.summary", doc -> doc.remove("summary"));
    breakages.put("$.status", doc -> doc.put("status", "done"));
    breakages.put("$.schemaVersion", doc -> doc.put("schemaVersion", 2));
    breakages.put("$.fixes[0].risk", doc -> ((ObjectNode) doc.get("fixes").get(0)).put("risk", "critical"));
    breakages.put("$.fixes[0].command", doc -> ((ObjectNode) doc.get("fixes").get(0)).remove("command"));
    breakages.put("$.evidence[0].commandId", doc -> ((ObjectNode) doc.get("evidence").get(0)).put("commandId", ""));
    breakages.put("$.timings.steps", doc -> ((ObjectNode) doc.get("timings")).put("steps", "3"));
    breakages.put("$.timings.investigationMillis", doc -> ((ObjectNode) doc.get("timings")).put("investigationMillis", -1));
    breakages.put("$.timings.concludedAt", doc -> ((ObjectNode) doc.get("timings")).put("concludedAt", "yesterday"));
    breakages.put("$.alert.startsAt", doc -> ((ObjectNode) doc.get("alert")).put("startsAt", 1733313600));
    breakages.put("$.alert.labels.mountpoint", doc -> ((ObjectNode) doc.get("alert").get("labels")).put("mountpoint", 1));
    breakages.put("$.alert.kind", doc -> ((ObjectNode) doc.get("alert")).remove("kind"));
    breakages.put("$.kbLinks[0].url", doc -> ((ObjectNode) doc.get("kbLinks").get(0)).put("url", "not a uri"));
    breakages.put("$.remediation[0]", doc -> ((ArrayNode) doc.get("remediation")).insert(0, 7));
    breakages.put("$.confidence", doc -> doc.put("confidence", 0.9));
    breakages.put("$.brain", doc -> doc.put("brain", ""));

    breakages.forEach((path, breakage) -> {
      ObjectNode broken = valid.deepCopy();
      breakage.accept(broken);
      List<String> errors = InsightSchema.insight().validate(broken);
      assertThat(errors).as(path).isNotEmpty();
      assertThat(errors).as(path).allSatisfy(error -> assertThat(error).startsWith(path + ": "));
    });
  }

  @Test
  void validateNamesProblem() {
    ObjectNode doc = published(realInsights().get("disk-space"));
    doc.remove("summary");
    doc.put("status", "done");

    assertThat(InsightSchema.insight().validate(doc)).containsExactly(
        "$.status: does not have a value in the enumeration [\"complete\", \"partial\", \"failed\"]",
        "$.summary: required property is missing");
    assertThat(InsightSchema.insight().validate(null)).containsExactly("$: the document is missing");
  }

  private static ObjectNode goodAnswer() {
    return (ObjectNode) parse("""
        {
          "summary": "Filesystem / is 97% full; /var/www/shop/wp-content/cache holds 30 GiB.",
          "rootCause": "The page cache of the shop site grew without a limit.",
          "remediation": ["Empty the cache", "Set a cache size limit in the caching plugin"],
          "fixes": [{"description": "Empty the page cache", "command": "rm -rf -- '/var/www/shop/wp-content/cache/page'", "risk": "low"}],
          "evidence": [{"claim": "/ is 97% full", "commandId": "cmd-1", "excerpt": "/dev/sda1 ... 97% /"}],
          "status": "complete",
          "playbook": "disk-space"
        }
        """);
  }

  @Test
  void answerSchemaAcceptsGoodAnswer() {
    ObjectNode answer = goodAnswer();
    assertThat(InsightSchema.answer().validate(answer)).isEmpty();

    answer.remove("playbook");
    answer.put("status", "partial");
    answer.set("fixes", Json.array());
    answer.set("remediation", Json.array());
    assertThat(InsightSchema.answer().validate(answer)).isEmpty();
  }

  @Test
  void answerSchemaRejectsMissingFields() {
    for (String field : List.of("summary", "rootCause", "remediation", "fixes", "evidence", "status")) {
      ObjectNode answer = goodAnswer();
      answer.remove(field);

      assertThat(InsightSchema.answer().validate(answer)).as(field)
          .containsExactly("$." + field + ": required property is missing");
    }
  }

  @Test
  void answerSchemaRejectsWrongValues() {
    Map<String, Consumer<ObjectNode>> breakages = new LinkedHashMap<>();
    breakages.put("$.status", answer -> answer.put("status", "failed"));
    breakages.put("$.fixes[0].risk", answer -> ((ObjectNode) answer.get("fixes").get(0)).put("risk", "none"));
    breakages.put("$.evidence", answer -> answer.set("evidence", Json.array()));
    breakages.put("$.summary", answer -> answer.put("summary", ""));
    breakages.put("$.remediation", answer -> answer.put("remediation", "Empty the cache"));
    breakages.put("$.confidence", answer -> answer.put("confidence", "high"));
    breakages.put("$.fixes[0].shell", answer -> ((ObjectNode) answer.get("fixes").get(0)).put("shell", "bash"));
    breakages.put("$.evidence[0].commandId", answer -> ((ObjectNode) answer.get("evidence").get(0)).remove("commandId"));
    breakages.put("$.playbook", answer -> answer.putNull("playbook"));

    breakages.forEach((path, breakage) -> {
      ObjectNode answer = goodAnswer();
      breakage.accept(answer);
      List<String> errors = InsightSchema.answer().validate(answer);
      assertThat(errors).as(path).isNotEmpty();
      assertThat(errors).as(path).allSatisfy(error -> assertThat(error).startsWith(path + ": "));
    });
  }

  @Test
  void schemaFilesAreOnClasspathAndInRepo() throws IOException {
    for (String resource : List.of(InsightSchema.INSIGHT_RESOURCE, InsightSchema.ANSWER_RESOURCE)) {
      String source = Files.readString(Path.of("src/main/resources" + resource));
      try (InputStream in = InsightSchema.class.getResourceAsStream(resource)) {
        assertThat(in).as(resource).isNotNull();
        assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(source);
      }
    }
    assertThat(parse(InsightSchema.answer().text()).get("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(parse(InsightSchema.insight().text()).at("/properties/schemaVersion/const").asInt())
        .isEqualTo(Insight.SCHEMA_VERSION);
  }

  @Test
  void insightSchemaListsEveryRecordComponent() {
    JsonNode schema = parse(InsightSchema.insight().text());
    List<String> components = new ArrayList<>();
    for (var component : Insight.class.getRecordComponents()) {
      components.add(component.getName());
    }

    assertThat(Json.elements(schema.get("required"))).extracting(JsonNode::asText)
        .containsExactlyInAnyOrderElementsOf(components);
  }

  @Test
  void toDraftCopiesAnswer() {
    List<Insight.KbLink> links = List.of(new Insight.KbLink("du(1)", "https://manpages.debian.org/du"));

    InsightDraft draft = InsightSchema.toDraft(goodAnswer(), "model", links);

    assertThat(draft.playbook()).isEqualTo("disk-space");
    assertThat(draft.status()).isEqualTo("complete");
    assertThat(draft.summary()).startsWith("Filesystem / is 97% full");
    assertThat(draft.rootCause()).isEqualTo("The page cache of the shop site grew without a limit.");
    assertThat(draft.remediation()).containsExactly("Empty the cache", "Set a cache size limit in the caching plugin");
    assertThat(draft.fixes()).containsExactly(new Insight.Fix("Empty the page cache",
        "rm -rf -- '/var/www/shop/wp-content/cache/page'", "low"));
    assertThat(draft.evidence()).containsExactly(new Insight.Evidence("/ is 97% full", "cmd-1", "/dev/sda1 ... 97% /"));
    assertThat(draft.kbLinks()).isEqualTo(links);
  }

  @Test
  void toDraftFallsBackToPlaybook() {
    ObjectNode answer = goodAnswer();
    answer.remove("playbook");

    assertThat(InsightSchema.toDraft(answer, "model", List.of()).playbook()).isEqualTo("model");
  }

  @Test
  void toDraftRejectsInvalidAnswer() {
    ObjectNode answer = goodAnswer();
    answer.put("status", "failed");

    assertThatThrownBy(() -> InsightSchema.toDraft(answer, "model", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("$.status: does not have a value in the enumeration");
  }

  @Test
  void draftFromAnswerMakesValidInsight() {
    Alert alert = Incident.alert("HostDiskFull", Map.of(), "");
    InsightDraft draft = InsightSchema.toDraft(goodAnswer(), "model", List.of());

    assertThat(InsightSchema.insight().validate(published(insightOf(alert, draft, 2, 3)))).isEmpty();
  }

  @Test
  void parseAnswerFindsObject() {
    String json = "{\"summary\": \"a } b { c\", \"status\": \"complete\"}";
    Map<String, String> replies = new LinkedHashMap<>();
    replies.put("bare", json);
    replies.put("fenced", "Here is the answer:\n```json\n" + json + "\n```\nDone.");
    replies.put("untagged fence", "```\n" + json + "\n```");
    replies.put("prose around", "After checking {the disk} I conclude: " + json + " That is all.");
    replies.put("fence after prose braces", "Steps: {1} {2}\n```json\n" + json + "\n```");
    replies.put("second object ignored", json + "\n{\"summary\": \"other\"}");

    replies.forEach((name, reply) -> {
      JsonNode answer = InsightSchema.parseAnswer(reply);
      assertThat(answer.get("summary").asText()).as(name).isEqualTo("a } b { c");
    });
  }

  @Test
  void parseAnswerSkipsNestedObjects() {
    String reply = "{\"summary\": \"x\", \"summary\": \"y\", \"fixes\": [{\"description\": \"d\"}]} trailing";

    assertThatThrownBy(() -> InsightSchema.parseAnswer(reply))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no complete, valid JSON object");
  }

  @Test
  void parseAnswerRejectsMissingObject() {
    assertThatThrownBy(() -> InsightSchema.parseAnswer("The disk is full."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the model reply contains no JSON object: expected one object matching the answer schema, "
            + "bare or in a ```json fence");
    assertThatThrownBy(() -> InsightSchema.parseAnswer("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the model reply is empty");
    assertThatThrownBy(() -> InsightSchema.parseAnswer(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the model reply is empty");
    assertThatThrownBy(() -> InsightSchema.parseAnswer("{\"summary\": \"cut off"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no complete, valid JSON object");
    assertThatThrownBy(() -> InsightSchema.parseAnswer("[{\"summary\": \"in an array\"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no complete, valid JSON object");
  }

  @Test
  void schemaLoadingStaysOnClasspath() {
    JsonNode schema = parse("{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", "
        + "\"$ref\": \"file:///nonexistent/schema.json\"}");

    assertThatThrownBy(() -> InsightSchema.factory().getSchema(schema).validate(Json.object()))
        .hasMessageContaining("is not allowed to be loaded");
  }
}
