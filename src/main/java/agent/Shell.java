package agent;

import java.util.List;
import java.util.Locale;

/** Formatting for the fix commands of an insight, which an operator pastes into a POSIX shell. */
final class Shell {

  private Shell() {}

  /** Quotes a word in single quotes; an embedded {@code '} becomes {@code '\''}. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** Joins argv into a command line, quoting every word that is not plainly safe. */
  static String join(List<String> argv) {
    StringBuilder line = new StringBuilder();
    for (String word : argv) {
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word.matches("[A-Za-z0-9_@%+=:,./-]+") ? word : quote(word));
    }
    return line.toString();
  }

  /** Formats a size in bytes with binary units, e.g. {@code 3.0 GiB}. */
  static String size(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }
}
