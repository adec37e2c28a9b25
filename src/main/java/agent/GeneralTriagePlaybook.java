package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An alert no rule recognises, or one whose cause shows in the error logs: take the host's vital
 * signs, report every value beyond its threshold and every log line that names its cause.
 */
final class GeneralTriagePlaybook implements Playbook {

  private final Planner planner;
  private final double load1;
  private final double availableMemoryPercent;
  private final double swapUsedPercent;
  private final int diskUsePercent;
  private final double processCpuPercent;
  private final int errorLines;

  GeneralTriagePlaybook(Planner planner, Config settings) {
    this.planner = planner;
    this.load1 = settings.getDouble("load1");
    this.availableMemoryPercent = settings.getDouble("available-memory-percent");
    this.swapUsedPercent = settings.getDouble("swap-used-percent");
    this.diskUsePercent = settings.getInt("disk-use-percent");
    this.processCpuPercent = settings.getDouble("process-cpu-percent");
    this.errorLines = settings.getInt("error-lines");
  }

  @Override
  public String id() {
    return PlaybookBrain.GENERAL_TRIAGE;
  }

  @Override
  public List<Brain.PlannedCommand> step(int step, Investigation investigation) {
    if (step != 1) {
      return List.of();
    }
    List<Brain.PlannedCommand> commands = new ArrayList<>(List.of(
        planner.plan(LoadAnalyzer.NAME, "Load averages"),
        planner.plan(MemoryAnalyzer.NAME, "Memory and swap use"),
        planner.plan(DiskUsageAnalyzer.NAME, "Filesystem use"),
        planner.plan(TopProcessesAnalyzer.NAME, Planner.params("sort", "-pcpu"), "Processes using the most CPU")));
    for (String log : planner.profile().errorLogs()) {
      commands.add(planner.plan(LogErrorsAnalyzer.NAME, Planner.params("file", log), "Recent errors in " + log));
    }
    return commands;
  }

  @Override
  public Conclusion conclude(Investigation investigation) {
    Conclusion conclusion = new Conclusion();
    List<String> standOut = new ArrayList<>();

    investigation.latest(LoadAnalyzer.NAME).ifPresent(entry -> {
      JsonNode load = entry.findings();
      if (load.has("load1") && load.get("load1").asDouble() >= load1) {
        String claim = String.format(Locale.ROOT, "Load average %.2f over the last minute (threshold %.1f)",
            load.get("load1").asDouble(), load1);
        conclusion.evidence(Investigation.evidence(claim, entry, load.get("load1").asText(), claim));
        standOut.add(claim);
        conclusion.remediation.add("High load: see which processes run with the resource-hogs playbook.");
      }
    });
    investigation.latest(MemoryAnalyzer.NAME).ifPresent(entry -> {
      JsonNode memory = entry.findings();
      if (memory.has("availablePercent") && memory.get("availablePercent").asDouble() <= availableMemoryPercent) {
        String claim = "Only " + memory.get("availablePercent").asText() + "% of memory is available ("
            + Shell.size(memory.get("availableKb").asLong() * 1024) + ")";
        conclusion.evidence(Investigation.evidence(claim, entry, "MemAvailable", claim));
        standOut.add(claim);
      }
      if (memory.has("swapUsedPercent") && memory.get("swapUsedPercent").asDouble() >= swapUsedPercent) {
        String claim = "Swap is " + memory.get("swapUsedPercent").asText() + "% used";
        conclusion.evidence(Investigation.evidence(claim, entry, "SwapFree", claim));
        standOut.add(claim);
      }
    });
    investigation.latest(DiskUsageAnalyzer.NAME).ifPresent(entry -> {
      for (JsonNode fs : Json.elements(entry.findings().get("filesystems"))) {
        String name = fs.get("filesystem").asText();
        if (fs.hasNonNull("usePercent") && fs.get("usePercent").asInt() >= diskUsePercent
            && !name.startsWith("/dev/loop") && !fs.get("mount").asText().startsWith("/snap")) {
          String claim = "Filesystem " + fs.get("mount").asText() + " is " + fs.get("usePercent").asInt() + "% full";
          conclusion.evidence(Investigation.evidence(claim, entry, name, claim));
          standOut.add(claim);
          conclusion.remediation.add("Free space on " + fs.get("mount").asText() + " with the disk-space playbook.");
        }
      }
    });
    investigation.latestWith(TopProcessesAnalyzer.NAME, "sort", "-pcpu").ifPresent(entry -> {
      for (JsonNode process : Json.elements(entry.findings().get("processes"))) {
        if (process.get("cpuPercent").asDouble() >= processCpuPercent) {
          String claim = String.format(Locale.ROOT, "PID %d (%s, user %s) uses %.1f%% CPU", process.get("pid").asLong(),
              Investigation.cap(process.get("command").asText()), process.get("user").asText(),
              process.get("cpuPercent").asDouble());
          conclusion.evidence(Investigation.evidence(claim, entry, process.get("pid").asText() + " ", claim));
          standOut.add(claim);
        }
      }
    });
    List<String> missingLogs = new ArrayList<>();
    for (TranscriptEntry entry : investigation.transcript()) {
      if (!entry.analyzer().equals(LogErrorsAnalyzer.NAME) || entry.findings() == null) {
        continue;
      }
      JsonNode findings = entry.findings();
      String file = Investigation.paramOf(entry, "file");
      if (findings.path("missing").asBoolean()) {
        missingLogs.add(file);
        continue;
      }
      if (entry.ranToExit() && findings.path("errorLines").asInt() >= errorLines) {
        JsonNode top = findings.path("topMessages").path(0);
        String claim = file + " has " + findings.get("errorLines").asInt() + " error lines in its newest "
            + findings.path("lines").asInt() + " lines, most often: " + top.path("message").asText("?");
        JsonNode last = findings.path("last");
        conclusion.evidence(Investigation.evidence(claim, entry, null,
            last.isArray() && !last.isEmpty() ? last.get(last.size() - 1).asText() : claim));
        standOut.add(claim);
      }
    }
    if (!missingLogs.isEmpty()) {
      conclusion.remediation.add("Not present on this host, skipped: " + String.join(", ", missingLogs) + ".");
    }

    // A log line that names its cause beats a threshold reading: it comes first and gives the root cause.
    List<KnownLogIssues.Found> known = KnownLogIssues.collect(investigation, KnownLogIssues.phpFpmUnit(planner.profile()));
    KnownLogIssues.apply(conclusion, known);
    standOut.addAll(0, known.stream().map(found -> found.diagnosis().claim()).toList());

    if (standOut.isEmpty()) {
      conclusion.summary = "Nothing stands out: load, memory, disk, processes and error logs are within the thresholds.";
      conclusion.rootCause = "Not found by the general triage; the alert needs a closer look by hand.";
      // "Nothing found" is a claim too: it rests on the readings that were taken.
      for (String analyzer : List.of(LoadAnalyzer.NAME, MemoryAnalyzer.NAME, DiskUsageAnalyzer.NAME)) {
        investigation.latest(analyzer).ifPresent(entry -> conclusion.evidence(Investigation.evidence(
            "The " + analyzer + " reading is within the thresholds", entry, null, Investigation.cap(entry.output()))));
      }
    } else {
      conclusion.summary = standOut.size() + (standOut.size() == 1 ? " thing stands out: " : " things stand out: ")
          + String.join("; ", standOut) + ".";
      conclusion.rootCause = known.isEmpty() ? standOut.get(0) + "." : known.get(0).diagnosis().cause() + ".";
    }
    return conclusion;
  }
}
