package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Access log files in the log directories, newest first:
 * {@code find DIR... -maxdepth 2 -type f -name GLOB -printf %s\t%T@\t%p\n}. One command covers one
 * glob; {@link #renderAll} renders one command per glob of the profile.
 */
public final class AccessLogFilesAnalyzer implements Analyzer {

  public static final String NAME = "access-log-files";

  /** The find format: size in bytes, mtime in epoch seconds, path. find expands the backslash escapes. */
  static final String PRINTF_FORMAT = "%s\\t%T@\\t%p\\n";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists the access log files in the web server log directories with their size and modification time.";
  }

  /**
   * Renders the find command. Params: {@code dirs} (default the profile's log directories) and
   * {@code name}, one glob (default the profile's first access log glob).
   */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    List<String> dirs = Json.texts(params, "dirs");
    if (dirs.isEmpty()) {
      dirs = profile.logDirs();
    }
    String glob = Json.text(params, "name");
    if (glob == null) {
      if (profile.accessLogNames().isEmpty()) {
        throw new IllegalArgumentException("stack profile access-log-names is empty: expected at least one glob");
      }
      glob = profile.accessLogNames().get(0);
    }
    List<String> argv = new ArrayList<>(List.of("find"));
    argv.addAll(Argv.absolutePaths("dirs", dirs));
    argv.addAll(List.of("-maxdepth", "2", "-type", "f", "-name", Argv.nameGlob("name", glob), "-printf", PRINTF_FORMAT));
    return argv;
  }

  /** Returns the parameters of one command per access log glob of the profile, each with {@code dirs} and {@code name}. */
  public static List<JsonNode> paramsPerGlob(JsonNode params, StackProfile profile) {
    List<String> dirs = Json.texts(params, "dirs");
    if (dirs.isEmpty()) {
      dirs = profile.logDirs();
    }
    List<JsonNode> result = new ArrayList<>();
    for (String glob : profile.accessLogNames()) {
      ObjectNode one = Json.object();
      one.set("dirs", Json.arrayOf(dirs));
      one.put("name", glob);
      result.add(one);
    }
    return result;
  }

  /** Renders one command per access log glob of the profile. */
  public List<List<String>> renderAll(JsonNode params, StackProfile profile) {
    List<List<String>> commands = new ArrayList<>();
    for (JsonNode one : paramsPerGlob(params, profile)) {
      commands.add(render(one, profile));
    }
    return commands;
  }

  /** Returns {@code {files:[{path, bytes, modified}], errors}}, newest first. find exits 1 for a missing directory. */
  @Override
  public JsonNode parse(CommandOutput output) {
    return parseFileListing(output);
  }

  /** Parses find's "SIZE TAB MTIME TAB PATH" lines, as printed by {@link #PRINTF_FORMAT}; see {@link #parse}. */
  static ObjectNode parseFileListing(CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    List<ObjectNode> files = new ArrayList<>();
    ArrayNode unparsed = Json.array();
    for (String line : Outputs.lines(output.stdout())) {
      String[] fields = line.split("\t", 3);
      Long bytes = fields.length == 3 ? Outputs.parseLongOrNull(fields[0]) : null;
      if (bytes == null || !fields[2].startsWith("/")) {
        if (!line.isBlank()) {
          unparsed.add(line);
        }
        continue;
      }
      long modified;
      try {
        modified = (long) Math.floor(Double.parseDouble(fields[1]));
      } catch (NumberFormatException e) {
        unparsed.add(line);
        continue;
      }
      ObjectNode file = Json.object();
      file.put("path", fields[2]);
      file.put("bytes", bytes);
      file.put("modified", modified);
      files.add(file);
    }
    files.sort(Comparator.<ObjectNode>comparingLong(f -> -f.get("modified").asLong())
        .thenComparing(f -> f.get("path").asText()));
    ArrayNode list = findings.putArray("files");
    files.forEach(list::add);
    findings.set("errors", Json.arrayOf(Outputs.errorLines(output)));
    if (!unparsed.isEmpty()) {
      findings.set("unparsed", unparsed);
    }
    return findings;
  }
}
