package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds planned commands through the analyzers' own render, so argv always has the exact form the analyzer owns. */
final class Planner {

  private final Analyzers analyzers;
  private final StackProfile profile;

  Planner(Analyzers analyzers, StackProfile profile) {
    this.analyzers = analyzers;
    this.profile = profile;
  }

  StackProfile profile() {
    return profile;
  }

  Brain.PlannedCommand plan(String analyzerName, JsonNode params, String purpose) {
    Analyzer analyzer = analyzers.find(analyzerName).orElseThrow(() -> new IllegalStateException(
        "analyzer [" + analyzerName + "] is not registered; the playbooks need the standard analyzers"));
    JsonNode safeParams = params == null ? Json.object() : params;
    return new Brain.PlannedCommand(analyzerName, safeParams, analyzer.render(safeParams, profile), purpose);
  }

  Brain.PlannedCommand plan(String analyzerName, String purpose) {
    return plan(analyzerName, Json.object(), purpose);
  }

  static ObjectNode params(String field, String value) {
    return Json.object().put(field, value);
  }
}
