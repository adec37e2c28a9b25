package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Load averages and scheduler counts: {@code cat /proc/loadavg}. */
public final class LoadAnalyzer implements Analyzer {

  public static final String NAME = "load";

  private static final Pattern LOADAVG =
      Pattern.compile("^\\s*([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+(\\d+)/(\\d+)(?:\\s+\\d+)?\\s*$");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Reads the 1, 5 and 15 minute load averages and the running and total task counts (/proc/loadavg).";
  }

  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    return List.of("cat", "/proc/loadavg");
  }

  /** Returns {@code {load1, load5, load15, running, total}}, or {@code unparsed} with the text. */
  @Override
  public JsonNode parse(CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    String text = output.stdout().strip();
    Matcher m = LOADAVG.matcher(text);
    if (!m.matches()) {
      if (!text.isEmpty()) {
        findings.put("unparsed", text);
      }
      return findings;
    }
    findings.put("load1", Double.parseDouble(m.group(1)));
    findings.put("load5", Double.parseDouble(m.group(2)));
    findings.put("load15", Double.parseDouble(m.group(3)));
    findings.put("running", Integer.parseInt(m.group(4)));
    findings.put("total", Integer.parseInt(m.group(5)));
    return findings;
  }
}
