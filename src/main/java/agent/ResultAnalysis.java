package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandResult;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import streams.OutputAnalysis;

/**
 * Turns a runner's raw output into what the incident records: the analyzer parses the full
 * output, then the excerpt and every string in the findings are redacted with one
 * {@link Redactor}, so a secret gets the same placeholder in both, and the excerpt is cut to the
 * transcript cap. The full output is dropped here and never persisted or logged.
 */
public final class ResultAnalysis implements OutputAnalysis {

  /** Characters read past the excerpt cap before redaction; longer than any secret the redactor knows. */
  static final int REDACTION_MARGIN = 16 * 1024;

  private final Analyzers analyzers;
  private final int excerptCap;

  public ResultAnalysis(Analyzers analyzers, int excerptCap) {
    this.analyzers = analyzers;
    this.excerptCap = excerptCap;
  }

  @Override
  public CommandResult analyze(CommandRequest request, CommandOutput output) {
    JsonNode findings = analyzers.parse(request.analyzer(), request.argv(), output);
    Redactor redactor = new Redactor();
    JsonNode redactedFindings = redactTree(findings, redactor);

    String text = output.stdout().isEmpty() ? output.stderr() : output.stdout();
    // Redacting megabytes only to keep a few KiB costs more CPU than the command: redact a head
    // long enough that any secret starting inside the excerpt (a PEM key included) ends inside it.
    boolean cut = text.length() > excerptCap;
    String head = text.length() > excerptCap + REDACTION_MARGIN ? text.substring(0, excerptCap + REDACTION_MARGIN) : text;
    String excerpt = redactor.redact(head);
    if (excerpt.length() > excerptCap) {
      excerpt = excerpt.substring(0, excerptCap);
      cut = true;
    }
    return new CommandResult(
        request.commandId(),
        request.incidentId(),
        request.host(),
        output.outcome().name().toLowerCase(Locale.ROOT),
        output.exitCode(),
        output.duration().toMillis(),
        excerpt,
        cut || output.truncated(),
        redactor.redact(output.error()),
        redactedFindings);
  }

  private static JsonNode redactTree(JsonNode node, Redactor redactor) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return TextNode.valueOf(redactor.redact(node.asText()));
    }
    if (node.isObject()) {
      ObjectNode copy = ((ObjectNode) node).objectNode();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        copy.set(field.getKey(), redactTree(field.getValue(), redactor));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = ((ArrayNode) node).arrayNode();
      for (JsonNode item : node) {
        copy.add(redactTree(item, redactor));
      }
      return copy;
    }
    return node;
  }
}
