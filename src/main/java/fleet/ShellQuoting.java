package fleet;

import java.util.List;
import java.util.StringJoiner;

/**
 * Joins argv into one POSIX shell command line. SSH exec sends a single string that the remote
 * user's login shell parses, so this is the only place where argv becomes a shell string.
 */
public final class ShellQuoting {

  private ShellQuoting() {}

  /**
   * Quotes each argument in single quotes and joins them with spaces. Inside single quotes a POSIX
   * shell treats every character literally except the single quote itself, which is written as
   * {@code '\''} (close the quote, an escaped quote, reopen). An empty argument becomes {@code ''}.
   *
   * @throws IllegalArgumentException when argv is empty or an argument contains NUL, which no
   *     shell command line can carry
   */
  public static String join(List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must not be empty");
    }
    StringJoiner line = new StringJoiner(" ");
    for (int position = 0; position < argv.size(); position++) {
      String argument = argv.get(position);
      if (argument.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argument at position " + position + " contains NUL");
      }
      line.add("'" + argument.replace("'", "'\\''") + "'");
    }
    return line.toString();
  }
}
