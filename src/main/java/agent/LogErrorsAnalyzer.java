package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Error and warning lines among the newest lines of one log, grouped by message: {@code tail -n N
 * FILE}. Reads nginx, Apache, PHP-FPM and syslog lines; a line without a level counts as an error
 * when it names a failure (error, fatal, segfault, out of memory, ...).
 */
public final class LogErrorsAnalyzer implements ArgvAwareAnalyzer {

  public static final String NAME = "log-errors";

  /** How many message groups and how many recent lines the findings keep. */
  public static final int TOP_MESSAGES = 10;
  public static final int LAST_LINES = 5;

  private static final Set<String> ERROR_LEVELS =
      Set.of("error", "err", "crit", "critical", "alert", "emerg", "emergency", "fatal");
  private static final Set<String> WARNING_LEVELS = Set.of("warn", "warning");
  private static final Pattern NGINX = Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} \\[(\\w+)\\] \\d+#\\d+: (?:\\*\\d+ )?(.*)$");
  private static final Pattern APACHE = Pattern.compile("^\\[[^\\]]*\\d{4}\\] \\[(?:[\\w.]+:)?(\\w+)\\] (?:\\[[^\\]]*\\] )*(.*)$");
  private static final Pattern PHP_FPM = Pattern.compile("^\\[\\d{2}-\\w{3}-\\d{4} [\\d:.]+\\] (\\w+): (.*)$");
  private static final Pattern SYSLOG =
      Pattern.compile("^(?:\\w{3} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}|\\d{4}-\\d{2}-\\d{2}T\\S+) \\S+ (.*)$");
  private static final Pattern FAILURE_WORDS = Pattern.compile(
      "(?i)\\b(error|crit|critical|alert|emerg|fatal|panic|segfault|out of memory|oom-killer|killed process|failed)\\b");
  private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?\\b");
  private static final Pattern IPV6 = Pattern.compile("(?i)(?<![\\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\\w:])");
  private static final Pattern HEX = Pattern.compile("(?i)\\b0x[0-9a-f]+\\b");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final int MAX_MESSAGE_LENGTH = 300;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Reads the newest lines of one error log and groups its error and warning lines by message.";
  }

  /** Renders {@code tail -n N FILE}: param {@code file}, N from the profile's error log lines. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    String file = Argv.absolutePath("file", Json.text(params, "file"));
    if (profile.errorLogLines() <= 0) {
      throw new IllegalArgumentException(
          "stack profile error-log-lines is " + profile.errorLogLines() + ": expected a positive number");
    }
    return List.of("tail", "-n", Integer.toString(profile.errorLogLines()), file);
  }

  @Override
  public JsonNode parse(CommandOutput output) {
    return parse(null, output);
  }

  /**
   * Returns {@code {file, missing, lines, errorLines, warningLines, topMessages:[{message, level,
   * count}], last:[...], known:[...]}}. Messages are normalised (addresses, numbers and hex values
   * replaced) so that repeats group together, and redacted. {@code known} lists the lines that name
   * their cause, at any level, as {@link KnownLogIssues.Tally#toJson} describes.
   */
  @Override
  public JsonNode parse(List<String> argv, CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    findings.put("file", argv == null || argv.isEmpty() ? null : argv.get(argv.size() - 1));
    boolean missing = output.outcome() == CommandOutput.Outcome.EXITED && output.exitCode() != 0
        && output.stderr().contains("No such file or directory");
    findings.put("missing", missing);

    tally(findings, Outputs.lines(output.stdout()), LogErrorsAnalyzer::classify);
    return findings;
  }

  /**
   * Groups the lines that {@code classify} marks as errors or warnings by normalised, redacted
   * message and adds {@code lines, errorLines, warningLines, topMessages, last, known} to the
   * findings. {@code classify} returns {level, message}, with level {@code error} or
   * {@code warning}, or null for a line that is neither.
   */
  static void tally(ObjectNode findings, List<String> lines, Function<String, String[]> classify) {
    Redactor redactor = new Redactor();
    Map<String, int[]> counts = new HashMap<>();
    Map<String, String> levels = new HashMap<>();
    List<String> order = new ArrayList<>();
    List<String> recent = new ArrayList<>();
    int lineCount = 0;
    int errorLines = 0;
    int warningLines = 0;
    KnownLogIssues.Tally known = new KnownLogIssues.Tally();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      lineCount++;
      known.add(line);
      String[] classified = classify.apply(line);
      if (classified == null) {
        continue;
      }
      String level = classified[0];
      if (level.equals("error")) {
        errorLines++;
      } else {
        warningLines++;
      }
      String message = normalise(redactor.redact(classified[1]));
      if (!counts.containsKey(message)) {
        order.add(message);
        counts.put(message, new int[1]);
        levels.put(message, level);
      }
      counts.get(message)[0]++;
      recent.add(cap(redactor.redact(line)));
    }
    findings.put("lines", lineCount);
    findings.put("errorLines", errorLines);
    findings.put("warningLines", warningLines);

    List<String> ranked = new ArrayList<>(order);
    // Most frequent first; among equals, errors before warnings, then the first seen.
    ranked.sort((a, b) -> {
      int byCount = Integer.compare(counts.get(b)[0], counts.get(a)[0]);
      if (byCount != 0) {
        return byCount;
      }
      int byLevel = Boolean.compare(levels.get(b).equals("error"), levels.get(a).equals("error"));
      return byLevel != 0 ? byLevel : Integer.compare(order.indexOf(a), order.indexOf(b));
    });
    ArrayNode top = findings.putArray("topMessages");
    for (String message : ranked.subList(0, Math.min(TOP_MESSAGES, ranked.size()))) {
      top.addObject().put("message", message).put("level", levels.get(message)).put("count", counts.get(message)[0]);
    }
    findings.set("last", Json.arrayOf(recent.subList(Math.max(0, recent.size() - LAST_LINES), recent.size())));
    findings.set("known", known.toJson(redactor));
  }

  /** Returns {level, message} for an error or warning line, or null for any other line. */
  private static String[] classify(String line) {
    for (Pattern format : List.of(NGINX, APACHE, PHP_FPM)) {
      Matcher m = format.matcher(line);
      if (m.matches()) {
        String level = m.group(1).toLowerCase(Locale.ROOT);
        if (ERROR_LEVELS.contains(level)) {
          return new String[] {"error", m.group(2)};
        }
        if (WARNING_LEVELS.contains(level)) {
          return new String[] {"warning", m.group(2)};
        }
        return null;
      }
    }
    Matcher syslog = SYSLOG.matcher(line);
    String message = syslog.matches() ? syslog.group(1) : line;
    if (FAILURE_WORDS.matcher(message).find()) {
      return new String[] {"error", message};
    }
    return null;
  }

  /** Replaces addresses, hex values and numbers so that repeats of one message compare equal. */
  static String normalise(String message) {
    String result = IPV4.matcher(message).replaceAll("<ip>");
    result = IPV6.matcher(result).replaceAll(m -> isIpv6(m.group()) ? "<ip>" : Matcher.quoteReplacement(m.group()));
    result = HEX.matcher(result).replaceAll("<hex>");
    result = NUMBER.matcher(result).replaceAll("<n>");
    // A redaction placeholder must stay recognisable, not become [SECRET-<n>].
    result = result.replace("[SECRET-<n>]", "[SECRET]");
    return cap(result.strip());
  }

  private static boolean isIpv6(String candidate) {
    return candidate.contains("::") || candidate.chars().anyMatch(c -> "abcdefABCDEF".indexOf(c) >= 0);
  }

  private static String cap(String text) {
    return text.length() > MAX_MESSAGE_LENGTH ? text.substring(0, MAX_MESSAGE_LENGTH) + "..." : text;
  }
}
