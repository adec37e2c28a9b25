package agent;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.List;

/** Inode usage of every mounted filesystem: {@code df -P -i}. */
public final class InodeUsageAnalyzer implements Analyzer {

  public static final String NAME = "inode-usage";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists each mounted filesystem with its inode count, used and free inodes and use percentage (df -P -i).";
  }

  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    return List.of("df", "-P", "-i");
  }

  /** Returns {@code {filesystems:[{filesystem, mount, inodes, used, free, usePercent}]}}. */
  @Override
  public JsonNode parse(CommandOutput output) {
    return DfParser.parse(output, "inodes", "used", "free");
  }
}
