package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Size of the directories below the disk roots, three levels deep, staying on each root's
 * filesystem: {@code du -x -k -d 3 ROOT...}.
 */
public final class DirectorySizesAnalyzer implements Analyzer {

  public static final String NAME = "directory-sizes";

  /** How many directories the findings keep, largest first. */
  public static final int MAX_DIRECTORIES = 40;

  private static final Pattern LINE = Pattern.compile("^(\\d+)\\t(.+)$");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists the largest directories up to three levels below the disk roots, in KiB (du -x -k -d 3).";
  }

  /** Renders {@code du -x -k -d 3 ROOT...}, the roots from param {@code roots} or the profile's disk roots. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    List<String> roots = Json.texts(params, "roots");
    if (roots.isEmpty()) {
      roots = profile.diskRoots();
    }
    List<String> argv = new ArrayList<>(List.of("du", "-x", "-k", "-d", "3"));
    argv.addAll(Argv.absolutePaths("roots", roots));
    return argv;
  }

  /**
   * Returns {@code {directories:[{path, sizeKb}], directoriesSeen, errors:[...]}}. du exits 1 when a
   * root is missing or a directory is unreadable, and still prints the sizes it could read, so
   * stdout is parsed whatever the exit code.
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    return parseListing(output, "sizeKb");
  }

  /**
   * Parses du's "COUNT TAB PATH" lines into {@code {directories:[{path, FIELD}], directoriesSeen,
   * errors}}, largest first, keeping the first {@value #MAX_DIRECTORIES}. Also reads {@code du --inodes}.
   */
  static ObjectNode parseListing(CommandOutput output, String field) {
    ObjectNode findings = Outputs.findings(output);
    List<long[]> sizes = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    ArrayNode unparsed = Json.array();
    for (String line : Outputs.lines(output.stdout())) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        sizes.add(new long[] {Long.parseLong(m.group(1)), paths.size()});
        paths.add(m.group(2));
      } else if (!line.isBlank()) {
        unparsed.add(line);
      }
    }
    sizes.sort(Comparator.<long[]>comparingLong(s -> -s[0]).thenComparing(s -> paths.get((int) s[1])));
    ArrayNode directories = findings.putArray("directories");
    for (long[] size : sizes.subList(0, Math.min(MAX_DIRECTORIES, sizes.size()))) {
      ObjectNode directory = directories.addObject();
      directory.put("path", paths.get((int) size[1]));
      directory.put(field, size[0]);
    }
    findings.put("directoriesSeen", sizes.size());
    findings.set("errors", Json.arrayOf(Outputs.errorLines(output)));
    if (!unparsed.isEmpty()) {
      findings.set("unparsed", unparsed);
    }
    return findings;
  }
}
