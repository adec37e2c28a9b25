package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Error entries of the systemd journal, grouped by message: {@code journalctl --no-pager --quiet
 * --output=short-iso --priority=err --lines=N}, optionally for one unit, for the kernel ring
 * buffer only, and since a relative time. journalctl filters by priority, so every line it prints
 * counts at the requested level. Kernel messages such as the OOM killer's land here even when no
 * log file keeps them.
 */
public final class JournalErrorsAnalyzer implements ArgvAwareAnalyzer {

  public static final String NAME = "journal-errors";

  /** The priorities a caller may ask for; {@code err} (the default) includes crit, alert and emerg. */
  static final Set<String> PRIORITIES = Set.of("err", "warning");

  /** Maximum number of journal entries one call reads, the limit the command policy allows. */
  static final int MAX_LINES = 5_000;

  /** The relative start times a caller may ask for. */
  static final List<String> SINCE = List.of("-1h", "-6h", "-1d", "-7d");

  /** A short-iso line: timestamp, host, then the identifier (with an optional pid) and the message. */
  private static final Pattern SHORT_ISO =
      Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\S+ \\S+ ([^\\s\\[:]+)(?:\\[\\d+\\])?: (.*)$");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Reads the newest error entries of the systemd journal, optionally for one unit or the kernel only, "
        + "and groups them by message.";
  }

  /**
   * Renders the journalctl form the command policy allows. Params: {@code unit} (optional unit
   * name such as {@code php8.2-fpm.service}), {@code kernel} (optional boolean: kernel messages
   * only), {@code since} (optional, one of {@link #SINCE}; default {@code -1d}) and
   * {@code priority} ({@code err} or {@code warning}; default {@code err}). The line count is
   * the profile's error-log-lines, at most 5,000.
   */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    String priority = Json.text(params, "priority");
    if (priority == null || priority.isEmpty()) {
      priority = "err";
    }
    if (!PRIORITIES.contains(priority)) {
      throw new IllegalArgumentException("priority [" + priority + "] is invalid: expected err or warning");
    }
    String since = Json.text(params, "since");
    if (since == null || since.isEmpty()) {
      since = "-1d";
    }
    if (!SINCE.contains(since)) {
      throw new IllegalArgumentException("since [" + since + "] is invalid: expected one of " + SINCE);
    }
    int lines = Math.min(profile.errorLogLines(), MAX_LINES);
    if (lines <= 0) {
      throw new IllegalArgumentException(
          "stack profile error-log-lines is " + profile.errorLogLines() + ": expected a positive number");
    }

    List<String> argv = new ArrayList<>(List.of("journalctl", "--no-pager", "--quiet", "--output=short-iso",
        "--priority=" + priority, "--lines=" + lines));
    // The command policy checks the unit name: letters, digits and @._-, no globs.
    String unit = Json.text(params, "unit");
    if (unit != null && !unit.isEmpty()) {
      argv.add("--unit=" + unit);
    }
    JsonNode kernel = params == null ? null : params.get("kernel");
    if (kernel != null && !kernel.isNull() && !kernel.isBoolean()) {
      throw new IllegalArgumentException("parameter [kernel] must be true or false, got " + kernel);
    }
    if (kernel != null && kernel.asBoolean()) {
      argv.add("--dmesg");
    }
    argv.add("--since=" + since);
    return List.copyOf(argv);
  }

  @Override
  public JsonNode parse(CommandOutput output) {
    return parse(null, output);
  }

  /**
   * Returns {@code {priority, unit, kernel, noEntries, identifiers:{name: count}, lines,
   * errorLines, warningLines, topMessages, last, known}}, like log-errors. A priority of
   * {@code warning} counts every line as a warning, since the output does not say which were
   * errors. {@code known} names OOM kills, segfaults and the other known causes.
   */
  @Override
  public JsonNode parse(List<String> argv, CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    String priority = option(argv, "--priority=", "err");
    findings.put("priority", priority);
    findings.put("unit", option(argv, "--unit=", null));
    findings.put("kernel", argv != null && argv.contains("--dmesg"));

    List<String> lines = Outputs.lines(output.stdout());
    findings.put("noEntries", lines.stream().allMatch(String::isBlank));
    TreeMap<String, Integer> identifiers = new TreeMap<>();
    String level = priority.equals("warning") ? "warning" : "error";
    LogErrorsAnalyzer.tally(findings, lines, line -> {
      Matcher m = SHORT_ISO.matcher(line);
      if (!m.matches()) {
        return null;
      }
      String identifier = m.group(1).toLowerCase(Locale.ROOT);
      identifiers.merge(identifier, 1, Integer::sum);
      return new String[] {level, identifier + ": " + m.group(2)};
    });
    ObjectNode byIdentifier = findings.putObject("identifiers");
    identifiers.forEach(byIdentifier::put);
    return findings;
  }

  private static String option(List<String> argv, String prefix, String fallback) {
    if (argv == null) {
      return fallback;
    }
    return argv.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst()
        .orElse(fallback);
  }
}
