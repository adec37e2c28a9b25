package agent;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.List;

/** Block usage of every mounted filesystem: {@code df -P -k}. */
public final class DiskUsageAnalyzer implements Analyzer {

  public static final String NAME = "disk-usage";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists each mounted filesystem with its size, used and available KiB and use percentage (df -P -k).";
  }

  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    return List.of("df", "-P", "-k");
  }

  /** Returns {@code {filesystems:[{filesystem, mount, sizeKb, usedKb, availableKb, usePercent}]}}. */
  @Override
  public JsonNode parse(CommandOutput output) {
    return DfParser.parse(output, "sizeKb", "usedKb", "availableKb");
  }
}
