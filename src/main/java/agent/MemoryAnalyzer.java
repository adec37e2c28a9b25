package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory and swap totals: {@code cat /proc/meminfo}. */
public final class MemoryAnalyzer implements Analyzer {

  public static final String NAME = "memory";

  private static final Pattern FIELD = Pattern.compile("^(\\w+(?:\\(\\w+\\))?):\\s+(\\d+)(?:\\s+kB)?\\s*$");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Reads total and available memory and swap, in KiB (/proc/meminfo).";
  }

  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    return List.of("cat", "/proc/meminfo");
  }

  /**
   * Returns {@code {totalKb, availableKb, swapTotalKb, swapFreeKb, availablePercent,
   * swapUsedPercent}}. Kernels before 3.14 have no MemAvailable: then availableKb is MemFree +
   * Buffers + Cached and {@code availableEstimated} is true.
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    Map<String, Long> fields = new HashMap<>();
    for (String line : Outputs.lines(output.stdout())) {
      Matcher m = FIELD.matcher(line);
      if (m.matches()) {
        fields.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    Long total = fields.get("MemTotal");
    if (total == null) {
      String text = output.stdout().strip();
      if (!text.isEmpty()) {
        findings.put("unparsed", text.length() > 300 ? text.substring(0, 300) : text);
      }
      return findings;
    }
    Long available = fields.get("MemAvailable");
    if (available == null) {
      available = fields.getOrDefault("MemFree", 0L) + fields.getOrDefault("Buffers", 0L) + fields.getOrDefault("Cached", 0L);
      findings.put("availableEstimated", true);
    }
    long swapTotal = fields.getOrDefault("SwapTotal", 0L);
    long swapFree = fields.getOrDefault("SwapFree", 0L);
    findings.put("totalKb", total);
    findings.put("availableKb", available);
    findings.put("swapTotalKb", swapTotal);
    findings.put("swapFreeKb", swapFree);
    findings.put("availablePercent", total == 0 ? 0 : Outputs.round(100.0 * available / total, 1));
    findings.put("swapUsedPercent", swapTotal == 0 ? 0 : Outputs.round(100.0 * (swapTotal - swapFree) / swapTotal, 1));
    return findings;
  }
}
