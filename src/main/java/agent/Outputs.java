package agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Helpers shared by the analyzers' parsers. */
final class Outputs {

  private Outputs() {}

  /** Splits text into lines, dropping the empty string after a final line break. */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return lines;
    }
    for (String line : text.split("\\R", -1)) {
      lines.add(line);
    }
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  /**
   * Starts a findings object. When the command did not run to an exit it records the outcome and
   * the runner's error, and when the output was cut it sets {@code truncated}, so a reader knows
   * the findings may be incomplete.
   */
  static ObjectNode findings(CommandOutput output) {
    ObjectNode findings = Json.object();
    if (output.outcome() != CommandOutput.Outcome.EXITED) {
      findings.put("outcome", output.outcome().name().toLowerCase(Locale.ROOT));
      findings.put("error", output.error());
    }
    if (output.truncated()) {
      findings.put("truncated", true);
    }
    return findings;
  }

  /** Returns the stderr lines, without blank ones, as a list of messages. */
  static List<String> errorLines(CommandOutput output) {
    List<String> errors = new ArrayList<>();
    for (String line : lines(output.stderr())) {
      if (!line.isBlank()) {
        errors.add(line.strip());
      }
    }
    return errors;
  }

  static Long parseLongOrNull(String token) {
    try {
      return Long.parseLong(token);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
