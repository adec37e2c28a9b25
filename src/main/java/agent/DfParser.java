package agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the POSIX output of {@code df -P}: a header, then one line per filesystem with four
 * numeric columns, a percentage and the mount point. The filesystem name and the mount point may
 * contain spaces, so the line is matched around the numeric columns. A column that df cannot fill
 * (inodes of vfat, for example) is printed as {@code -} and stored as null.
 */
final class DfParser {

  private static final Pattern LINE =
      Pattern.compile("^(.+?)\\s+(\\d+|-)\\s+(\\d+|-)\\s+(\\d+|-)\\s+(\\d+%|-)\\s+(/.*)$");

  private DfParser() {}

  /**
   * Parses df output into {@code filesystems}, naming the three numeric columns as given.
   *
   * @param columns names of the size, used and available columns, e.g. {@code sizeKb, usedKb, availableKb}
   */
  static ObjectNode parse(CommandOutput output, String... columns) {
    ObjectNode findings = Outputs.findings(output);
    ArrayNode filesystems = findings.putArray("filesystems");
    ArrayNode unparsed = Json.array();
    for (String line : Outputs.lines(output.stdout())) {
      if (line.isBlank() || line.startsWith("Filesystem")) {
        continue;
      }
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        unparsed.add(line);
        continue;
      }
      ObjectNode fs = filesystems.addObject();
      fs.put("filesystem", m.group(1));
      fs.put("mount", m.group(6));
      for (int i = 0; i < 3; i++) {
        Long value = Outputs.parseLongOrNull(m.group(2 + i));
        if (value == null) {
          fs.putNull(columns[i]);
        } else {
          fs.put(columns[i], value);
        }
      }
      String percent = m.group(5);
      if (percent.equals("-")) {
        fs.putNull("usePercent");
      } else {
        fs.put("usePercent", Integer.parseInt(percent.substring(0, percent.length() - 1)));
      }
    }
    if (!unparsed.isEmpty()) {
      findings.set("unparsed", unparsed);
    }
    ArrayNode errors = Json.arrayOf(Outputs.errorLines(output));
    if (!errors.isEmpty()) {
      findings.set("errors", errors);
    }
    return findings;
  }
}
