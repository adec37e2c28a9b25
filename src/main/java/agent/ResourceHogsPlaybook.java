package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU, load or memory alerts: list the top processes by CPU and by memory with load and memory
 * totals, name the process or site that uses most, and propose fixes that fit what it is.
 */
final class ResourceHogsPlaybook implements Playbook {

  private static final Pattern MEMORY_ALERT = Pattern.compile("(?i)memory|oom|swap");
  private static final Pattern WP_CRON_PATH = Pattern.compile("(/\\S+)/wp-cron\\.php");
  private static final Pattern ARTISAN_PATH = Pattern.compile("(/\\S+)/artisan\\b");
  private static final Pattern FPM_CONF = Pattern.compile("/etc/php/([\\d.]+)/fpm/");

  private final Planner planner;
  private final double cpuPercent;
  private final double memPercent;
  private final List<Pattern> ignoredCommands;

  ResourceHogsPlaybook(Planner planner, Config settings) {
    this.planner = planner;
    this.cpuPercent = settings.getDouble("cpu-percent");
    this.memPercent = settings.getDouble("mem-percent");
    this.ignoredCommands = settings.getStringList("ignored-commands").stream().map(Pattern::compile).toList();
  }

  @Override
  public String id() {
    return PlaybookBrain.RESOURCE_HOGS;
  }

  @Override
  public List<Brain.PlannedCommand> step(int step, Investigation investigation) {
    if (step != 1) {
      return List.of();
    }
    return List.of(
        planner.plan(TopProcessesAnalyzer.NAME, Planner.params("sort", "-pcpu"), "Processes using the most CPU"),
        planner.plan(TopProcessesAnalyzer.NAME, Planner.params("sort", "-rss"), "Processes using the most memory"),
        planner.plan(LoadAnalyzer.NAME, "Load averages"),
        planner.plan(MemoryAnalyzer.NAME, "Memory and swap use"));
  }

  @Override
  public Conclusion conclude(Investigation investigation) {
    Conclusion conclusion = new Conclusion();
    Alert alert = investigation.alert();
    boolean memoryFocus = MEMORY_ALERT.matcher(alert.kind() + " " + alert.summary()).find();
    Optional<TranscriptEntry> byCpu = investigation.latestWith(TopProcessesAnalyzer.NAME, "sort", "-pcpu");
    Optional<TranscriptEntry> byRss = investigation.latestWith(TopProcessesAnalyzer.NAME, "sort", "-rss");
    Optional<TranscriptEntry> listing = memoryFocus ? byRss.or(() -> byCpu) : byCpu.or(() -> byRss);
    StringBuilder summary = new StringBuilder();

    investigation.latest(LoadAnalyzer.NAME).ifPresent(entry -> {
      JsonNode load = entry.findings();
      if (load.has("load1")) {
        String claim = String.format(Locale.ROOT, "Load average %.2f / %.2f / %.2f (1, 5, 15 min), %d of %d tasks running",
            load.get("load1").asDouble(), load.get("load5").asDouble(), load.get("load15").asDouble(),
            load.get("running").asInt(), load.get("total").asInt());
        conclusion.evidence(Investigation.evidence(claim, entry, load.get("load1").asText(), claim));
        summary.append(claim).append(". ");
      }
    });
    JsonNode memory = investigation.latest(MemoryAnalyzer.NAME).map(TranscriptEntry::findings).orElse(null);
    investigation.latest(MemoryAnalyzer.NAME).ifPresent(entry -> {
      JsonNode m = entry.findings();
      if (m.has("totalKb")) {
        String claim = "Memory available " + m.get("availablePercent").asText() + "% ("
            + Shell.size(m.get("availableKb").asLong() * 1024) + " of " + Shell.size(m.get("totalKb").asLong() * 1024)
            + "), swap used " + m.get("swapUsedPercent").asText() + "%";
        conclusion.evidence(Investigation.evidence(claim, entry, "MemAvailable", claim));
        summary.append(claim).append(". ");
      }
    });

    if (listing.isEmpty()) {
      conclusion.summary = (summary + "The process listing is missing, so no process is named.").strip();
      conclusion.rootCause = "Unknown: no process listing.";
      return conclusion;
    }
    TranscriptEntry entry = listing.get();
    JsonNode top = Json.elements(entry.findings().get("processes")).stream()
        .filter(p -> !ignored(p.path("command").asText()))
        .findFirst().orElse(null);
    if (top == null) {
      conclusion.summary = (summary + "The process listing is empty.").strip();
      conclusion.rootCause = "Unknown: no process in the listing.";
      return conclusion;
    }
    String processClaim = describe(top);
    conclusion.evidence(Investigation.evidence(processClaim, entry, top.get("pid").asText() + " ", processClaim));

    JsonNode group = topGroup(entry.findings(), memoryFocus);
    boolean groupDominates = group != null && group.get("processes").asInt() > 1
        && metric(group, memoryFocus) > metric(top, memoryFocus) * 1.5;
    String culprit;
    if (groupDominates) {
      String name = group.hasNonNull("application") ? group.get("application").asText() : group.get("service").asText();
      String groupClaim = String.format(Locale.ROOT, "%s: %d processes use %.1f%% CPU and %.1f%% memory (%s RSS) together",
          name, group.get("processes").asInt(), group.get("cpuPercent").asDouble(), group.get("memPercent").asDouble(),
          Shell.size(group.get("rssKb").asLong() * 1024));
      conclusion.evidence(Investigation.evidence(groupClaim, entry, name, groupClaim));
      culprit = groupClaim;
      summary.insert(0, "The top " + (memoryFocus ? "memory" : "CPU") + " user is " + name + " with "
          + group.get("processes").asInt() + " processes; the single largest is " + processClaim + ". ");
    } else {
      culprit = processClaim;
      summary.insert(0, "The top " + (memoryFocus ? "memory" : "CPU") + " user is " + processClaim + ". ");
    }
    conclusion.summary = summary.toString().strip();
    conclusion.rootCause = culprit + ".";
    addFixes(conclusion, entry, top, groupDominates ? group : null, memory, memoryFocus);
    return conclusion;
  }

  private void addFixes(Conclusion conclusion, TranscriptEntry entry, JsonNode top, JsonNode group, JsonNode memory,
      boolean memoryFocus) {
    List<JsonNode> processes = Json.elements(entry.findings().get("processes"));
    String kind = top.path("kind").asText("");
    String service = top.path("service").asText("");

    for (JsonNode process : processes) {
      if (process.path("kind").asText("").equals("wp-cron") && exceeds(process, memoryFocus)) {
        Matcher m = WP_CRON_PATH.matcher(process.get("command").asText());
        if (m.find()) {
          String dir = m.group(1);
          String site = dir.substring(dir.lastIndexOf('/') + 1);
          List<Long> runs = wpCronRuns(processes, dir);
          if (runs.size() > 1) {
            addOverlappingCronFixes(conclusion, site, dir, runs);
            break;
          }
          conclusion.fix("WP-Cron of " + site + " runs on page loads and piles up: add define('DISABLE_WP_CRON', true); "
                  + "to " + dir + "/wp-config.php, then run it every 5 minutes from the system cron as the site's owner",
              "echo \"*/5 * * * * $(stat -c %U " + Shell.quote(dir + "/wp-cron.php") + ") php "
                  + Shell.quote(dir + "/wp-cron.php") + " >/dev/null 2>&1\" > " + Shell.quote("/etc/cron.d/wp-cron-" + site),
              "low");
          break;
        }
      }
    }
    boolean pool = group != null ? "php-fpm".equals(group.path("service").asText()) && group.hasNonNull("application")
        : kind.equals("php-fpm-pool");
    if (pool) {
      String poolName = group != null ? group.get("application").asText() : top.get("application").asText();
      String unit = phpFpmUnit(processes);
      long workerKb = group != null ? group.get("rssKb").asLong() / Math.max(1, group.get("processes").asInt())
          : top.get("rssKb").asLong();
      String sizing = "";
      if (memory != null && memory.has("availableKb") && workerKb > 0) {
        long poolKb = group != null ? group.get("rssKb").asLong() : workerKb;
        long fits = (long) ((memory.get("availableKb").asLong() + poolKb) * 0.9 / workerKb);
        sizing = " With " + Shell.size(workerKb * 1024) + " per worker, about " + Math.max(1, fits)
            + " workers fit into the memory that is free now plus what the pool already uses.";
      }
      conclusion.fix("Review pm.max_children of the PHP-FPM pool " + poolName + " in its pool file, then reload "
              + unit + "." + sizing + (memoryFocus ? "" : " High CPU in a pool usually means heavy traffic or slow "
              + "scripts: check the site's access log and the FPM slow log."),
          "grep -n 'pm.max_children' /etc/php/*/fpm/pool.d/*.conf", "low");
      conclusion.fix("Apply the new pool settings", "systemctl reload " + unit, "low");
    }
    if (kind.equals("queue-worker") || kind.equals("artisan")) {
      Matcher m = ARTISAN_PATH.matcher(top.get("command").asText());
      if (m.find()) {
        conclusion.fix("Restart the Laravel queue workers of " + m.group(1) + " gracefully: each finishes its job and "
                + "exits, and the process supervisor starts fresh ones",
            "php " + Shell.quote(m.group(1) + "/artisan") + " queue:restart", "low");
      }
    }
    if (service.equals("mysql")) {
      conclusion.fix("List the running queries to find the expensive ones", "mysqladmin processlist", "low");
      conclusion.remediation.add("Enable the slow query log to catch heavy queries over time.");
      if (memoryFocus) {
        conclusion.fix("Show the memory MySQL is configured to take: the InnoDB buffer pool and the connection limit",
            "mysql -e 'SELECT @@innodb_buffer_pool_size DIV 1048576 AS buffer_pool_mib, @@max_connections'", "low");
        conclusion.remediation.add("Size innodb_buffer_pool_size to what the RAM holds after PHP-FPM and the "
            + "operating system. MySQL 5.7 and later and MariaDB 10.2 and later resize it online with SET GLOBAL "
            + "innodb_buffer_pool_size; set it in the configuration file too, so that a restart keeps it.");
      }
    }
    boolean oneOff = service.isEmpty() && !kind.equals("php-fpm-pool") && group == null && exceeds(top, memoryFocus);
    if (oneOff) {
      long pid = top.get("pid").asLong();
      conclusion.fix("Stop PID " + pid + " (" + Investigation.cap(top.get("command").asText()) + "); a supervisor "
              + "may start it again, and its work is lost",
          "kill -TERM " + pid, "medium");
    }
    if (memory != null && memory.path("swapUsedPercent").asDouble() >= 50) {
      conclusion.remediation.add("Swap is " + memory.get("swapUsedPercent").asText() + "% used: the host is short of "
          + "memory, so lower worker counts or add memory rather than adding swap.");
    }
  }

  /** Returns the PIDs of the PHP processes (not their shells) that run {@code dir}/wp-cron.php. */
  private static List<Long> wpCronRuns(List<JsonNode> processes, String dir) {
    List<Long> pids = new ArrayList<>();
    for (JsonNode process : processes) {
      String command = process.path("command").asText();
      boolean shell = command.startsWith("/bin/sh ") || command.startsWith("sh ");
      if (!shell && command.contains(dir + "/wp-cron.php")) {
        pids.add(process.get("pid").asLong());
      }
    }
    return pids;
  }

  /**
   * WP-Cron already runs from the system cron and its runs pile up, because each hangs longer than
   * the cron interval: stop them and keep the next from overlapping, rather than adding a cron entry.
   */
  private static void addOverlappingCronFixes(Conclusion conclusion, String site, String dir, List<Long> pids) {
    StringBuilder command = new StringBuilder("kill -TERM");
    for (long pid : pids) {
      command.append(' ').append(pid);
    }
    conclusion.fix("Stop the " + pids.size() + " overlapping WP-Cron runs of " + site + "; the next cron run starts "
        + "a fresh one and scheduled events run again then", command.toString(), "medium");
    conclusion.remediation.add("WP-Cron of " + site + " runs from the system cron and each run hangs longer than the "
        + "interval: wrap its cron entry in flock -n (for example flock -n /run/lock/wp-cron-" + site + ".lock php "
        + dir + "/wp-cron.php) so that a run is skipped while the previous one still runs.");
    conclusion.remediation.add("Find the event that hangs, as the site's user: wp cron event list --path=" + dir
        + " (WP-CLI), then fix or unschedule that plugin's hook.");
  }

  /** Whether the command line matches one of the configured ignored-commands patterns. */
  private boolean ignored(String command) {
    return ignoredCommands.stream().anyMatch(pattern -> pattern.matcher(command).find());
  }

  private boolean exceeds(JsonNode process, boolean memoryFocus) {
    return memoryFocus ? process.path("memPercent").asDouble() >= memPercent
        : process.path("cpuPercent").asDouble() >= cpuPercent;
  }

  private static JsonNode topGroup(JsonNode findings, boolean memoryFocus) {
    return Json.elements(findings.get("applications")).stream()
        .max(Comparator.comparingDouble(g -> metric(g, memoryFocus)))
        .orElse(null);
  }

  private static double metric(JsonNode node, boolean memoryFocus) {
    return memoryFocus ? node.path("rssKb").asDouble() : node.path("cpuPercent").asDouble();
  }

  private String phpFpmUnit(List<JsonNode> processes) {
    for (JsonNode process : processes) {
      Matcher m = FPM_CONF.matcher(process.path("command").asText());
      if (m.find()) {
        return "php" + m.group(1) + "-fpm";
      }
    }
    List<String> test = planner.profile().configTests().get("php-fpm");
    return test == null ? "php-fpm" : ConfigDowntimePlaybook.unitOf(test);
  }

  private static String describe(JsonNode process) {
    List<String> about = new ArrayList<>();
    about.add("user " + process.get("user").asText());
    if (process.hasNonNull("application")) {
      about.add("site " + process.get("application").asText());
    }
    if (process.hasNonNull("kind")) {
      about.add(process.get("kind").asText());
    }
    if (process.hasNonNull("service")) {
      about.add("service " + process.get("service").asText());
    }
    return String.format(Locale.ROOT, "PID %d (%s; %s) at %.1f%% CPU and %.1f%% memory (%s RSS), running %s",
        process.get("pid").asLong(), Investigation.cap(process.get("command").asText()), String.join(", ", about),
        process.get("cpuPercent").asDouble(), process.get("memPercent").asDouble(),
        Shell.size(process.get("rssKb").asLong() * 1024), duration(process.get("elapsedSeconds").asLong()));
  }

  private static String duration(long seconds) {
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return (seconds / 60) + " min";
    }
    if (seconds < 172800) {
      return (seconds / 3600) + " h";
    }
    return (seconds / 86400) + " days";
  }
}
