package agent;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * Number of inodes (files, directories and links) below each directory, three levels deep below
 * the disk roots, staying on each root's filesystem: {@code du --inodes -x -d 3 ROOT...}. Names the
 * directory with very many small files when a filesystem runs out of inodes before blocks.
 * {@code --inodes} needs GNU coreutils 8.22 or later (Debian 8 and later).
 */
public final class DirectoryInodesAnalyzer implements Analyzer {

  public static final String NAME = "directory-inodes";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Counts the inodes below each directory up to three levels below the disk roots (du --inodes -x -d 3), "
        + "to find where millions of small files are.";
  }

  /** Renders {@code du --inodes -x -d 3 ROOT...}, the roots from param {@code roots} or the profile's disk roots. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    List<String> roots = Json.texts(params, "roots");
    if (roots.isEmpty()) {
      roots = profile.diskRoots();
    }
    List<String> argv = new ArrayList<>(List.of("du", "--inodes", "-x", "-d", "3"));
    argv.addAll(Argv.absolutePaths("roots", roots));
    return argv;
  }

  /**
   * Returns {@code {directories:[{path, inodes}], directoriesSeen, errors:[...]}}, most inodes
   * first. Each count includes everything below the directory. du exits 1 for a missing root or
   * an unreadable directory and still prints the counts it could read, so stdout is parsed
   * whatever the exit code.
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    return DirectorySizesAnalyzer.parseListing(output, "inodes");
  }
}
