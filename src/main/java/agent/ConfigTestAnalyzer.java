package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a service's own configuration test (the profile's {@code config-tests}, e.g. {@code nginx
 * -t}) and extracts the failing file, line, directive and message. Reads the output of nginx,
 * Apache ({@code apache2ctl -t}) and PHP-FPM ({@code php-fpm8.2 -t}). nginx and PHP-FPM write to
 * stderr, so both streams are read.
 */
public final class ConfigTestAnalyzer implements ArgvAwareAnalyzer {

  public static final String NAME = "config-test";

  private static final Pattern NGINX_ERROR = Pattern.compile(
      "^(?:nginx: |\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} )?\\[(emerg|alert|crit|error)\\] (?:\\d+#\\d+: )?(.*?)"
          + "(?: in (/\\S+):(\\d+))?$");
  private static final Pattern NGINX_WARNING = Pattern.compile("^(?:nginx: )?\\[warn\\] (.*)$");
  private static final Pattern APACHE_SYNTAX = Pattern.compile("Syntax error on line (\\d+) of (/[^:]+):\\s*");
  private static final Pattern PHP_FPM_ERROR =
      Pattern.compile("^(?:\\[[^\\]]+\\] )?(ERROR|ALERT): (?:\\[(/[^\\]]+?):(\\d+)\\] )?(.*)$");
  private static final Pattern NOT_INSTALLED =
      Pattern.compile("(?i)(command not found|: not found|cannot run program|error=2,)");
  private static final List<Pattern> DIRECTIVES = List.of(
      Pattern.compile("unknown directive \"([^\"]+)\""),
      Pattern.compile("\"([^\"]+)\" directive"),
      Pattern.compile("Invalid command '([^']+)'"),
      Pattern.compile("unknown entry '([^']+)'"),
      Pattern.compile("^\\[pool [^\\]]+\\] '?([\\w.\\[\\]]+)'? "),
      Pattern.compile("^(\\w+) (?:takes|must|not allowed|cannot|requires|only)"));

  private final Map<String, List<String>> configTests;

  public ConfigTestAnalyzer(StackProfile profile) {
    this.configTests = new TreeMap<>(profile.configTests());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Runs a service's configuration test (nginx -t, apache2ctl -t, php-fpm -t) and reports the failing "
        + "file, line, directive and message.";
  }

  /** Renders the profile's configuration test of param {@code service}, exactly as configured. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    String service = Json.text(params, "service");
    if (service == null) {
      throw new IllegalArgumentException("parameter [service] is missing: expected one of " + profile.configTests().keySet());
    }
    List<String> argv = profile.configTests().get(service);
    if (argv == null || argv.isEmpty()) {
      throw new IllegalArgumentException(
          "parameter [service] is invalid: no configuration test for [" + service + "]; expected one of "
              + new TreeMap<>(profile.configTests()).keySet());
    }
    return argv;
  }

  /** Returns {@code {service, ok, installed, errors:[{file, line, directive, message}], warnings}}, the service guessed from the output. */
  @Override
  public JsonNode parse(CommandOutput output) {
    return parse(null, output);
  }

  /** As {@link #parse(CommandOutput)}, with the service taken from the profile entry whose argv matches. */
  @Override
  public JsonNode parse(List<String> argv, CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    String text = output.stderr() + "\n" + output.stdout() + "\n" + output.error();
    String service = argv == null ? null : serviceOf(argv);
    if (service == null) {
      service = guessService(text);
    }
    findings.put("service", service);
    boolean installed = output.exitCode() != 127 && !NOT_INSTALLED.matcher(text).find();
    findings.put("installed", installed);
    boolean ok = installed && output.outcome() == CommandOutput.Outcome.EXITED && output.exitCode() == 0;
    findings.put("ok", ok);

    ArrayNode errors = findings.putArray("errors");
    ArrayNode warnings = findings.putArray("warnings");
    List<String> lines = new ArrayList<>(Outputs.lines(output.stderr()));
    lines.addAll(Outputs.lines(output.stdout()));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String next = i + 1 < lines.size() ? lines.get(i + 1).strip() : "";
      if (parseLine(line, next, errors, warnings)) {
        i++;
      }
    }
    if (!ok && installed && errors.isEmpty() && output.outcome() == CommandOutput.Outcome.EXITED) {
      String last = lines.isEmpty() ? "exit code " + output.exitCode() : lines.get(lines.size() - 1).strip();
      addError(errors, null, null, last);
    }
    return findings;
  }

  /** Parses one line into an error or a warning; returns true when it consumed the next line too. */
  private boolean parseLine(String line, String next, ArrayNode errors, ArrayNode warnings) {
    Matcher nginx = NGINX_ERROR.matcher(line);
    if (nginx.matches()) {
      addError(errors, nginx.group(3), nginx.group(4), nginx.group(2));
      return false;
    }
    Matcher nginxWarning = NGINX_WARNING.matcher(line);
    if (nginxWarning.matches()) {
      warnings.add(nginxWarning.group(1));
      return false;
    }
    Matcher apache = APACHE_SYNTAX.matcher(line);
    String file = null;
    String lineNumber = null;
    int end = -1;
    while (apache.find()) {
      // Includes nest: "Syntax error on line 225 of apache2.conf: Syntax error on line 3 of site.conf: ...".
      lineNumber = apache.group(1);
      file = apache.group(2);
      end = apache.end();
    }
    if (file != null) {
      String message = line.substring(end).strip();
      if (message.isEmpty()) {
        addError(errors, file, lineNumber, next);
        return true;
      }
      addError(errors, file, lineNumber, message);
      return false;
    }
    Matcher fpm = PHP_FPM_ERROR.matcher(line);
    if (fpm.matches()) {
      addError(errors, fpm.group(2), fpm.group(3), fpm.group(4));
      return false;
    }
    if (line.startsWith("AH") && line.contains("Warning")) {
      warnings.add(line);
    }
    return false;
  }

  private static void addError(ArrayNode errors, String file, String line, String message) {
    ObjectNode error = errors.addObject();
    error.put("file", file);
    if (line == null) {
      error.putNull("line");
    } else {
      error.put("line", Integer.parseInt(line));
    }
    error.put("directive", directiveOf(message));
    error.put("message", message);
  }

  static String directiveOf(String message) {
    for (Pattern pattern : DIRECTIVES) {
      Matcher m = pattern.matcher(message);
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  /** Returns the service whose configured test is {@code argv}, or null. */
  String serviceOf(List<String> argv) {
    for (Map.Entry<String, List<String>> test : configTests.entrySet()) {
      if (test.getValue().equals(argv)) {
        return test.getKey();
      }
    }
    return null;
  }

  private String guessService(String text) {
    for (Map.Entry<String, List<String>> test : configTests.entrySet()) {
      String program = programOf(test.getValue());
      if (program != null && text.contains(program)) {
        return test.getKey();
      }
    }
    if (text.contains("nginx:")) {
      return "nginx";
    }
    if (text.contains("Syntax OK") || text.contains("AH0")) {
      return "apache";
    }
    if (text.contains("FPM") || text.contains("php-fpm")) {
      return "php-fpm";
    }
    return null;
  }

  /** Returns the program of a configured test, skipping a {@code sudo -n} prefix. */
  static String programOf(List<String> argv) {
    for (String arg : argv) {
      if (arg.equals("sudo") || arg.startsWith("-")) {
        continue;
      }
      return arg.substring(arg.lastIndexOf('/') + 1);
    }
    return null;
  }
}
