package agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON Schemas (draft 2020-12) of fleet-sre's output and of the model answers it accepts,
 * published on the classpath under {@code schema/}: {@code insight.schema.json}, the published
 * {@link Insight} document, {@code insight-answer.schema.json}, the final answer a model returns,
 * and {@code judge-answer.schema.json}, the model judge's scores. Instances are immutable and
 * thread-safe.
 */
public final class InsightSchema {

  /** Classpath resource of the published insight schema. */
  public static final String INSIGHT_RESOURCE = "/schema/insight.schema.json";
  /** Classpath resource of the model's answer schema. */
  public static final String ANSWER_RESOURCE = "/schema/insight-answer.schema.json";
  /** Classpath resource of the schema of the model judge's scores. */
  public static final String JUDGE_ANSWER_RESOURCE = "/schema/judge-answer.schema.json";

  private static final Pattern JSON_FENCE = Pattern.compile("```(?:json|JSON)?[ \\t]*\\R(.*?)```", Pattern.DOTALL);
  private static final ObjectReader STRICT_READER =
      Json.mapper().reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private static final class Holder {
    static final InsightSchema INSIGHT = load(INSIGHT_RESOURCE);
    static final InsightSchema ANSWER = load(ANSWER_RESOURCE);
    static final InsightSchema JUDGE_ANSWER = load(JUDGE_ANSWER_RESOURCE);
  }

  private final String resource;
  private final String text;
  private final JsonNode node;
  private final JsonSchema schema;

  private InsightSchema(String resource, String text, JsonNode node, JsonSchema schema) {
    this.resource = resource;
    this.text = text;
    this.node = node;
    this.schema = schema;
  }

  /** Returns the schema of a model's final answer. */
  public static InsightSchema answer() {
    return Holder.ANSWER;
  }

  /** Returns the schema of the model judge's answer: a score and a reason per rubric criterion. */
  public static InsightSchema judgeAnswer() {
    return Holder.JUDGE_ANSWER;
  }

  /** Returns the schema of the published insight document. */
  public static InsightSchema insight() {
    return Holder.INSIGHT;
  }

  /** Returns the schema as JSON text, as published, for example to quote it in a prompt. */
  public String text() {
    return text;
  }

  /** Returns the schema as a JSON tree. The tree is shared: callers must not modify it. */
  JsonNode node() {
    return node;
  }

  /**
   * Validates a document. Each error names the JSON path of the offending value, for example
   * {@code $.fixes[0].risk}, and the problem. A missing or unexpected property is named by its own
   * path. Returns an empty list when the document is valid; a null document is one error.
   */
  public List<String> validate(JsonNode document) {
    if (document == null) {
      return List.of("$: the document is missing");
    }
    List<String> errors = new ArrayList<>();
    for (ValidationMessage message : schema.validate(document)) {
      errors.add(describe(message));
    }
    errors.sort(null);
    return errors;
  }

  private static String describe(ValidationMessage message) {
    String path = message.getInstanceLocation().toString();
    String type = message.getType();
    if (("required".equals(type) || "additionalProperties".equals(type)) && message.getProperty() != null) {
      String propertyPath = message.getInstanceLocation().append(message.getProperty()).toString();
      return "required".equals(type)
          ? propertyPath + ": required property is missing"
          : propertyPath + ": property is not allowed here";
    }
    String text = message.getMessage();
    // The library starts each message with the instance path; it is replaced so that every error has one form.
    if (text.startsWith(path + ": ")) {
      text = text.substring(path.length() + 2);
    }
    return path + ": " + text;
  }

  /**
   * Makes a draft of a valid model answer. The answer's {@code playbook} label wins when present;
   * otherwise {@code playbook} is used.
   *
   * @throws IllegalArgumentException when the answer does not match the answer schema, listing every error
   */
  public static InsightDraft toDraft(JsonNode validAnswer, String playbook, List<Insight.KbLink> kbLinks) {
    List<String> errors = answer().validate(validAnswer);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("the answer does not match " + ANSWER_RESOURCE + ": " + String.join("; ", errors));
    }
    List<Insight.Fix> fixes = new ArrayList<>();
    for (JsonNode fix : validAnswer.get("fixes")) {
      fixes.add(new Insight.Fix(fix.get("description").asText(), fix.get("command").asText(), fix.get("risk").asText()));
    }
    List<Insight.Evidence> evidence = new ArrayList<>();
    for (JsonNode item : validAnswer.get("evidence")) {
      evidence.add(new Insight.Evidence(item.get("claim").asText(), item.get("commandId").asText(),
          item.get("excerpt").asText()));
    }
    String label = validAnswer.hasNonNull("playbook") ? validAnswer.get("playbook").asText() : playbook;
    return new InsightDraft(label, validAnswer.get("status").asText(), validAnswer.get("summary").asText(),
        validAnswer.get("rootCause").asText(), Json.texts(validAnswer, "remediation"), fixes, kbLinks, evidence);
  }

  /**
   * Extracts the JSON object from a model's reply. The reply may be the bare object, wrap it in a
   * {@code ```json} fence, or surround it with prose. The content of each fence is tried first, then
   * the whole reply, and the first balanced top-level object that parses as JSON wins. An object
   * with duplicate keys does not parse, because it makes the answer ambiguous.
   *
   * @throws IllegalArgumentException when the reply contains no complete JSON object
   */
  public static JsonNode parseAnswer(String modelText) {
    if (modelText == null || modelText.isBlank()) {
      throw new IllegalArgumentException("the model reply is empty: expected a JSON object matching the answer schema");
    }
    Matcher fence = JSON_FENCE.matcher(modelText);
    while (fence.find()) {
      JsonNode inFence = firstObject(fence.group(1));
      if (inFence != null) {
        return inFence;
      }
    }
    JsonNode found = firstObject(modelText);
    if (found != null) {
      return found;
    }
    if (modelText.indexOf('{') < 0) {
      throw new IllegalArgumentException("the model reply contains no JSON object: expected one object matching the "
          + "answer schema, bare or in a ```json fence");
    }
    throw new IllegalArgumentException("the model reply contains no complete, valid JSON object (unbalanced braces, "
        + "duplicate keys or invalid JSON): expected one object matching the answer schema");
  }

  /**
   * Returns the first top-level balanced {...} in {@code text} that parses as a JSON object, or
   * null. A candidate that does not parse is skipped as a whole, so an object nested in it is
   * never taken for the answer. An opening brace that is never closed ends the search for the same
   * reason. Each character is scanned once.
   */
  private static JsonNode firstObject(String text) {
    int start = text.indexOf('{');
    while (start >= 0) {
      int end = balancedEnd(text, start);
      if (end < 0) {
        return null;
      }
      try {
        JsonNode node = STRICT_READER.readTree(text.substring(start, end + 1));
        if (node != null && node.isObject()) {
          return node;
        }
      } catch (JsonProcessingException e) {
        // Not JSON, e.g. braces in prose: go on after it.
      }
      start = text.indexOf('{', end + 1);
    }
    return null;
  }

  /** Returns the index of the brace that closes the one at {@code start}, skipping braces inside JSON strings, or -1. */
  private static int balancedEnd(String text, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  private static InsightSchema load(String resource) {
    String text;
    try (InputStream in = InsightSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + resource + " is missing from the classpath");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema resource " + resource, e);
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("schema resource " + resource + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .pathType(PathType.JSON_PATH)
        .formatAssertionsEnabled(true)
        .locale(Locale.ENGLISH)
        .build();
    JsonSchema schema = factory().getSchema(node, config);
    return new InsightSchema(resource, text, node, schema);
  }

  /**
   * Returns a draft 2020-12 schema factory that loads referenced schemas only from the classpath,
   * where the library keeps the standard meta-schemas, so validation never fetches a URL.
   */
  static JsonSchemaFactory factory() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder.schemaLoaders(
        loaders -> loaders.values(list -> list.add(0, new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:"))))));
  }

  @Override
  public String toString() {
    return "InsightSchema[" + resource + "]";
  }
}
