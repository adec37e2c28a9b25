package fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fixed shell scripts that a command may run through {@code sh -c}. This is the only way a pipe
 * reaches a host: {@link CommandPolicy} allows {@code sh -c SCRIPT _ ARGS...} only when SCRIPT is
 * exactly the text of one of these templates and each argument matches that template's pattern.
 *
 * <p>A script refers to its variable parts only as {@code "$1"}, {@code "$2"}, ... (double-quoted
 * positional parameters), so the shell never parses an argument as code. The {@code _} after the
 * script becomes {@code $0}.
 */
public enum ShellTemplate {

  /**
   * The processes with the highest CPU ({@code -pcpu}) or resident memory ({@code -rss}) use:
   * the first $2 lines of the listing, the header line included.
   */
  TOP_PROCESSES(
      "ps -eo pid,user,pcpu,pmem,rss,etimes,args --sort=\"$1\" | head -n \"$2\"",
      List.of(
          Pattern.compile("-pcpu|-rss"),
          // 1..500
          Pattern.compile("[1-9][0-9]?|[1-4][0-9]{2}|500")));

  private final String script;
  private final List<Pattern> argumentPatterns;

  ShellTemplate(String script, List<Pattern> argumentPatterns) {
    this.script = script;
    this.argumentPatterns = argumentPatterns;
  }

  /** Returns the exact script text passed after {@code sh -c}. */
  public String script() {
    return script;
  }

  /** Returns the patterns that positional arguments $1, $2, ... must match in full, in order. */
  public List<Pattern> argumentPatterns() {
    return argumentPatterns;
  }

  /**
   * Builds {@code [sh, -c, script, _, args...]}. Only the number of arguments is checked here.
   * {@link CommandPolicy#check} checks their values, so a bad value shows up as a rejection.
   *
   * @throws IllegalArgumentException when the number of arguments differs from the template's
   */
  public List<String> argv(String... args) {
    if (args.length != argumentPatterns.size()) {
      throw new IllegalArgumentException(
          "shell template " + name() + " takes " + argumentPatterns.size() + " arguments, got " + args.length);
    }
    List<String> argv = new ArrayList<>(List.of("sh", "-c", script, "_"));
    argv.addAll(List.of(args));
    return List.copyOf(argv);
  }

  /** Returns the template whose script is exactly {@code script}, or empty. */
  public static Optional<ShellTemplate> ofScript(String script) {
    for (ShellTemplate template : values()) {
      if (template.script.equals(script)) {
        return Optional.of(template);
      }
    }
    return Optional.empty();
  }
}
