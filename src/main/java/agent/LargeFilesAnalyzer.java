package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Files larger than the profile's {@code largeFileMinKb} below the disk roots, each classified as
 * deletable or protected by a {@link FileClassifier}:
 * {@code find ROOT... -xdev -type f -size +Nk -printf %s\t%T@\t%u\t%p\n}.
 */
public final class LargeFilesAnalyzer implements Analyzer {

  public static final String NAME = "large-files";

  /** How many files the findings keep, largest first. */
  public static final int MAX_FILES = 200;

  /** The find format: size in bytes, mtime in epoch seconds, owner, path. find expands the backslash escapes. */
  static final String PRINTF_FORMAT = "%s\\t%T@\\t%u\\t%p\\n";

  private final FileClassifier classifier;
  private final Clock clock;

  public LargeFilesAnalyzer(StackProfile profile, Clock clock) {
    this.classifier = new FileClassifier(profile);
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists files above the large-file size below the disk roots and marks which are safe to delete "
        + "(rotated logs, caches, old backups, core dumps) and which are protected.";
  }

  /** Renders the find command; the roots come from param {@code roots} or the profile's disk roots. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    List<String> roots = Json.texts(params, "roots");
    if (roots.isEmpty()) {
      roots = profile.diskRoots();
    }
    if (profile.largeFileMinKb() <= 0) {
      throw new IllegalArgumentException(
          "stack profile large-file-min-kb is " + profile.largeFileMinKb() + ": expected a positive number of KiB");
    }
    List<String> argv = new ArrayList<>(List.of("find"));
    argv.addAll(Argv.absolutePaths("roots", roots));
    argv.addAll(List.of("-xdev", "-type", "f", "-size", "+" + profile.largeFileMinKb() + "k", "-printf", PRINTF_FORMAT));
    return argv;
  }

  /**
   * Returns {@code {files:[{path, bytes, modified, owner, category, deletable, reason}], filesSeen,
   * deletableBytes, protectedBytes, unclassifiedBytes, errors}}. The byte totals cover every file
   * seen, including those beyond the first {@value #MAX_FILES}.
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    Instant now = clock.instant();
    List<ObjectNode> files = new ArrayList<>();
    ArrayNode unparsed = Json.array();
    long deletableBytes = 0;
    long protectedBytes = 0;
    long unclassifiedBytes = 0;
    for (String line : Outputs.lines(output.stdout())) {
      ObjectNode file = parseLine(line, now);
      if (file == null) {
        if (!line.isBlank()) {
          unparsed.add(line);
        }
        continue;
      }
      files.add(file);
      long bytes = file.get("bytes").asLong();
      if (file.get("deletable").asBoolean()) {
        deletableBytes += bytes;
      } else if (file.get("category").asText().equals(FileClassifier.UNKNOWN)) {
        unclassifiedBytes += bytes;
      } else {
        protectedBytes += bytes;
      }
    }
    files.sort(Comparator.<ObjectNode>comparingLong(f -> -f.get("bytes").asLong())
        .thenComparing(f -> f.get("path").asText()));
    ArrayNode listed = findings.putArray("files");
    files.stream().limit(MAX_FILES).forEach(listed::add);
    findings.put("filesSeen", files.size());
    findings.put("deletableBytes", deletableBytes);
    findings.put("protectedBytes", protectedBytes);
    findings.put("unclassifiedBytes", unclassifiedBytes);
    findings.set("errors", Json.arrayOf(Outputs.errorLines(output)));
    if (!unparsed.isEmpty()) {
      findings.set("unparsed", unparsed);
    }
    return findings;
  }

  private ObjectNode parseLine(String line, Instant now) {
    String[] fields = line.split("\t", 4);
    if (fields.length != 4 || !fields[3].startsWith("/")) {
      return null;
    }
    Long bytes = Outputs.parseLongOrNull(fields[0]);
    long modified;
    try {
      modified = (long) Math.floor(Double.parseDouble(fields[1]));
    } catch (NumberFormatException e) {
      return null;
    }
    if (bytes == null) {
      return null;
    }
    FileClassifier.Classification verdict = classifier.classify(fields[3], modified, now);
    ObjectNode file = Json.object();
    file.put("path", fields[3]);
    file.put("bytes", bytes);
    file.put("modified", modified);
    file.put("owner", fields[2]);
    file.put("category", verdict.category());
    file.put("deletable", verdict.deletable());
    file.put("reason", verdict.reason());
    return file;
  }
}
