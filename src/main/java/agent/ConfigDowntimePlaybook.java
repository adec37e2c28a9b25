package agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A site or service is down: run every configured configuration test and name the failing file,
 * line and directive. When every test passes, step 2 reads the error logs of the installed services.
 */
final class ConfigDowntimePlaybook implements Playbook {

  private final Planner planner;

  ConfigDowntimePlaybook(Planner planner) {
    this.planner = planner;
  }

  @Override
  public String id() {
    return PlaybookBrain.CONFIG_DOWNTIME;
  }

  @Override
  public List<Brain.PlannedCommand> step(int step, Investigation investigation) {
    if (step == 1) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (String service : new TreeMap<>(planner.profile().configTests()).keySet()) {
        commands.add(planner.plan(ConfigTestAnalyzer.NAME, Planner.params("service", service),
            "Test the " + service + " configuration"));
      }
      return commands;
    }
    if (step == 2 && failing(investigation).isEmpty()) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (String log : errorLogsOfInstalled(investigation)) {
        commands.add(planner.plan(LogErrorsAnalyzer.NAME, Planner.params("file", log),
            "Why the service is down although its configuration is valid: " + log));
      }
      return commands;
    }
    return List.of();
  }

  private List<TranscriptEntry> failing(Investigation investigation) {
    List<TranscriptEntry> failing = new ArrayList<>();
    for (TranscriptEntry entry : investigation.usable(ConfigTestAnalyzer.NAME)) {
      JsonNode findings = entry.findings();
      if (findings.path("installed").asBoolean(true) && !findings.path("ok").asBoolean(false)) {
        failing.add(entry);
      }
    }
    return failing;
  }

  private List<String> errorLogsOfInstalled(Investigation investigation) {
    List<String> logs = new ArrayList<>();
    for (TranscriptEntry entry : investigation.usable(ConfigTestAnalyzer.NAME)) {
      if (!entry.findings().path("installed").asBoolean(true)) {
        continue;
      }
      String keyword = logKeyword(serviceOf(entry));
      for (String log : planner.profile().errorLogs()) {
        if (log.contains(keyword) && !logs.contains(log)) {
          logs.add(log);
        }
      }
    }
    return logs;
  }

  @Override
  public Conclusion conclude(Investigation investigation) {
    Conclusion conclusion = new Conclusion();
    List<String> passed = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (TranscriptEntry entry : investigation.usable(ConfigTestAnalyzer.NAME)) {
      JsonNode findings = entry.findings();
      String service = serviceOf(entry);
      String program = Shell.join(entry.argv());
      if (!findings.path("installed").asBoolean(true)) {
        missing.add(service);
        conclusion.evidence(Investigation.evidence(service + " is not installed (" + program + " was not found)",
            entry, "not found", "exit code " + entry.exitCode()));
      } else if (findings.path("ok").asBoolean(false)) {
        passed.add(service);
        conclusion.evidence(Investigation.evidence("The " + service + " configuration test passes", entry,
            "successful", program + " exited 0"));
      }
    }

    List<TranscriptEntry> failing = failing(investigation);
    StringBuilder summary = new StringBuilder();
    StringBuilder cause = new StringBuilder();
    for (TranscriptEntry entry : failing) {
      describeFailure(entry, conclusion, summary, cause);
    }
    if (failing.isEmpty()) {
      summary.append(passed.isEmpty() ? "No configuration test could run. "
          : "The configuration tests pass (" + String.join(", ", passed) + "), so the downtime is not a "
              + "configuration syntax error. ");
      cause.append("Not a configuration error");
      logErrors(investigation, conclusion, summary, cause);
      cause.append('.');
      for (String service : passed) {
        String unit = unitOf(planner.profile().configTests().get(service));
        String status = "systemctl status " + unit + " --no-pager";
        // A known log issue may have proposed the same status command already.
        conclusion.fixes.removeIf(fix -> fix.command().equals(status));
        conclusion.fix("Show why " + unit + " is not running", status, "low");
        conclusion.fix("Start " + unit + " again if it is stopped", "systemctl restart " + unit, "medium");
      }
    }
    if (!missing.isEmpty()) {
      summary.append("Not installed: ").append(String.join(", ", missing)).append('.');
    }
    conclusion.summary = summary.toString().strip();
    conclusion.rootCause = cause.toString().strip();
    return conclusion;
  }

  private void describeFailure(TranscriptEntry entry, Conclusion conclusion, StringBuilder summary,
      StringBuilder cause) {
    String service = serviceOf(entry);
    List<String> argv = entry.argv();
    String unit = unitOf(argv);
    List<JsonNode> errors = Json.elements(entry.findings().get("errors"));
    JsonNode primary = errors.stream().filter(e -> e.hasNonNull("file") && e.hasNonNull("line")).findFirst()
        .orElse(errors.isEmpty() ? null : errors.get(0));
    if (primary == null) {
      String claim = "The " + service + " configuration test fails with exit code " + entry.exitCode();
      conclusion.evidence(Investigation.evidence(claim, entry, "failed", claim));
      summary.append(claim).append(". ");
      cause.append(claim).append(". ");
      return;
    }
    String message = primary.path("message").asText();
    String file = Investigation.text(primary, "file");
    String where = file == null ? "" : " at " + file + (primary.hasNonNull("line") ? ":" + primary.get("line").asInt() : "");
    boolean permissions = errors.stream().allMatch(e -> e.path("message").asText().contains("Permission denied"));
    String claim = "The " + service + " configuration test fails" + where + ": " + message;
    conclusion.evidence(Investigation.evidence(claim, entry, file != null ? file : message, message));

    if (permissions) {
      summary.append("The ").append(service).append(" configuration test could not run fully: ").append(message)
          .append(". ");
      cause.append("The configuration test lacks privileges, so the result says nothing about the configuration. ");
      conclusion.remediation.add("Run the configuration tests with privileges: prefix them with \"sudo\", \"-n\" "
          + "in the stack profile's config-tests and allow that command in sudoers.");
      return;
    }
    summary.append(service).append(" cannot start or reload: its configuration test fails").append(where)
        .append(" (").append(message).append("). ");
    cause.append(file == null ? message : "Line " + primary.path("line").asText("?") + " of " + file + ": " + message);
    if (primary.hasNonNull("directive")) {
      cause.append(" (directive ").append(primary.get("directive").asText()).append(")");
    }
    cause.append(". ");
    if (file != null) {
      String line = primary.hasNonNull("line") ? "+" + primary.get("line").asInt() + " " : "";
      conclusion.fix("Correct " + (primary.hasNonNull("directive") ? "the directive " + primary.get("directive").asText()
              : "the error") + where + ": " + message,
          "sensible-editor " + line + Shell.quote(file), "low");
    } else {
      conclusion.remediation.add("Fix the cause named by the test: " + message);
    }
    conclusion.fix("Test the " + service + " configuration again and reload " + unit
            + " only when the test passes (a stopped service is started)",
        Shell.join(argv) + " && systemctl reload-or-restart " + unit, "low");
    if (errors.size() > 1) {
      conclusion.remediation.add("Other messages from the test: " + String.join("; ",
          errors.stream().skip(1).limit(3).map(e -> e.path("message").asText()).toList()) + ".");
    }
  }

  private void logErrors(Investigation investigation, Conclusion conclusion, StringBuilder summary,
      StringBuilder cause) {
    for (TranscriptEntry entry : investigation.usable(LogErrorsAnalyzer.NAME)) {
      JsonNode top = entry.findings().path("topMessages").path(0);
      if (top.isMissingNode() || entry.findings().path("missing").asBoolean()) {
        continue;
      }
      String file = Investigation.paramOf(entry, "file");
      String claim = "Most frequent message in " + file + ": " + top.get("message").asText() + " ("
          + top.get("count").asInt() + "x)";
      JsonNode last = entry.findings().path("last");
      conclusion.evidence(Investigation.evidence(claim, entry, null,
          last.isArray() && !last.isEmpty() ? last.get(last.size() - 1).asText() : claim));
      summary.append(claim).append(". ");
      if (cause.indexOf(";") < 0) {
        cause.append("; the logs point to: ").append(top.get("message").asText());
      }
    }
    List<KnownLogIssues.Found> known = KnownLogIssues.collect(investigation, KnownLogIssues.phpFpmUnit(planner.profile()));
    KnownLogIssues.apply(conclusion, known);
    for (KnownLogIssues.Found found : known) {
      summary.append(found.diagnosis().claim()).append(". ");
    }
    if (!known.isEmpty()) {
      cause.append(". ").append(known.get(0).diagnosis().cause());
    }
  }

  private String serviceOf(TranscriptEntry entry) {
    String service = Investigation.text(entry.findings(), "service");
    if (service != null) {
      return service;
    }
    for (Map.Entry<String, List<String>> test : planner.profile().configTests().entrySet()) {
      if (test.getValue().equals(entry.argv())) {
        return test.getKey();
      }
    }
    return ConfigTestAnalyzer.programOf(entry.argv());
  }

  private static String logKeyword(String service) {
    if (service.startsWith("php")) {
      return "php";
    }
    return service.equals("apache") ? "apache2" : service;
  }

  /** Returns the systemd unit of a configuration test's program: php-fpm8.2 -> php8.2-fpm, apache2ctl -> apache2. */
  static String unitOf(List<String> argv) {
    String program = ConfigTestAnalyzer.programOf(argv == null ? List.of() : argv);
    if (program == null) {
      return "unknown";
    }
    if (program.startsWith("php-fpm")) {
      return "php" + program.substring("php-fpm".length()) + "-fpm";
    }
    if (program.equals("apache2ctl") || program.equals("apachectl")) {
      return "apache2";
    }
    return program;
  }
}
