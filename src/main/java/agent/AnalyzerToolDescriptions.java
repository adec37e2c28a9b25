package agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When a model should call each standard analyzer, and the parameters its {@code render} reads.
 * Defaults are quoted from the stack profile, so the tool list shows the model the paths of this fleet.
 */
final class AnalyzerToolDescriptions {

  /**
   * The tool text of one analyzer.
   *
   * @param guidance when to use the tool, appended to the analyzer's description
   * @param parameters the analyzer's parameters, without {@link ToolCatalog#PURPOSE}
   */
  record Entry(String guidance, List<ToolParameter> parameters) {
    Entry {
      parameters = List.copyOf(parameters);
    }
  }

  private AnalyzerToolDescriptions() {}

  /** Returns the entries by analyzer name. */
  static Map<String, Entry> forProfile(StackProfile profile) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    entries.put(DiskUsageAnalyzer.NAME, new Entry(
        "Call it first for a disk space alert, or to see whether any filesystem is full.", List.of()));
    entries.put(InodeUsageAnalyzer.NAME, new Entry(
        "Call it when writes fail with no space left but disk_usage shows free blocks: many small files use up the inodes.",
        List.of()));
    entries.put(DirectorySizesAnalyzer.NAME, new Entry(
        "Call it after disk_usage shows a full filesystem, to find the directories that take the space.",
        List.of(roots(profile))));
    entries.put(LargeFilesAnalyzer.NAME, new Entry(
        "Call it after directory_sizes, to list the files above " + profile.largeFileMinKb()
            + " KiB and which of them may be deleted.",
        List.of(roots(profile))));

    entries.put(AccessLogFilesAnalyzer.NAME, new Entry(
        "Call it before access_log_top, to find the access logs and which were written most recently.",
        List.of(
            ToolParameter.strings("dirs", false,
                "Absolute paths of the directories to search, two levels deep. Default: " + profile.logDirs() + ".",
                "absolute directory paths"),
            ToolParameter.string("name", false,
                "One file name glob of [A-Za-z0-9._*-]. Default: the first of " + profile.accessLogNames() + ".",
                "a file name glob without '/'"))));
    entries.put(AccessLogTopAnalyzer.NAME, new Entry(
        "Call it for traffic, 5xx or load alerts, to see which clients, bots or paths send the requests. "
            + "It reads the newest " + profile.accessLogLines() + " lines.",
        List.of(ToolParameter.string("file", true,
            "Absolute path of one access log, as access_log_files lists them.", "the absolute path of an access log"))));
    entries.put(ConfigTestAnalyzer.NAME, new Entry(
        "Call it when a web server or PHP-FPM is down, fails to reload or the site answers 502.",
        List.of(configTestService(profile))));

    entries.put(TopProcessesAnalyzer.NAME, new Entry(
        "Call it for CPU, load or memory alerts, to name the process and the site or PHP-FPM pool behind it.",
        List.of(ToolParameter.oneOf("sort", true, List.of("-pcpu", "-rss"),
            "-pcpu lists the processes by CPU use, -rss by resident memory."))));
    entries.put(LoadAnalyzer.NAME, new Entry(
        "Call it to measure the load; run_command with [\"nproc\"] gives the CPU count to compare it with.", List.of()));
    entries.put(MemoryAnalyzer.NAME, new Entry("Call it for memory, swap or OOM alerts.", List.of()));
    entries.put(LogErrorsAnalyzer.NAME, new Entry(
        "Call it to read the recent errors of one log. It reads the newest " + profile.errorLogLines() + " lines.",
        List.of(ToolParameter.string("file", true,
            "Absolute path of one log file" + (profile.errorLogs().isEmpty() ? "" : ", e.g. one of " + profile.errorLogs())
                + ".",
            "the absolute path of a log file"))));
    entries.put(JournalErrorsAnalyzer.NAME, new Entry(
        "Call it when a service failed or restarted, or for memory alerts with kernel=true to find OOM kills. It "
            + "reads the newest " + Math.min(profile.errorLogLines(), JournalErrorsAnalyzer.MAX_LINES) + " matching journal entries.",
        List.of(
            ToolParameter.string("unit", false, "One systemd unit, e.g. nginx.service or php8.2-fpm.service. "
                + "Default: every unit.", "a unit name of letters, digits and @._-"),
            ToolParameter.bool("kernel", false, "true reads kernel messages only (OOM killer, disk and "
                + "filesystem errors)."),
            ToolParameter.oneOf("since", false, JournalErrorsAnalyzer.SINCE, "How far back to read. Default: -1d."),
            ToolParameter.oneOf("priority", false, List.of("err", "warning"),
                "err reads errors and worse (default), warning adds warnings."))));

    entries.put(DirectoryInodesAnalyzer.NAME, new Entry(
        "Call it after inode_usage shows a filesystem out of inodes, to find the directories with the most files.",
        List.of(roots(profile))));
    entries.put(CertificateFilesAnalyzer.NAME, new Entry(
        "Call it for TLS or certificate alerts, to list the certificate files before certificate_expiry.",
        List.of(
            ToolParameter.strings("dirs", false,
                "Absolute paths of the directories to search, two levels deep. Default: " + profile.tlsCertDirs() + ".",
                "absolute directory paths"),
            ToolParameter.string("name", false,
                "One file name glob of [A-Za-z0-9._*-]. Default: the first of " + profile.tlsCertNames() + ".",
                "a file name glob without '/'"))));
    entries.put(CertificateExpiryAnalyzer.NAME, new Entry(
        "Call it on one certificate file that certificate_files listed, to read its subject and expiry date.",
        List.of(ToolParameter.string("file", true,
            "Absolute path of one certificate file.", "the absolute path of a certificate file"))));
    return entries;
  }

  private static ToolParameter roots(StackProfile profile) {
    return ToolParameter.strings("roots", false,
        "Absolute paths of the directories to examine; each stays on its own filesystem. Default: "
            + profile.diskRoots() + ".",
        "absolute directory paths");
  }

  private static ToolParameter configTestService(StackProfile profile) {
    if (profile.configTests().isEmpty()) {
      return ToolParameter.string("service", true,
          "The service whose configuration test runs. The stack profile lists no configuration tests.",
          "a service of the stack profile's config-tests");
    }
    return ToolParameter.oneOf("service", true, List.copyOf(new TreeMap<>(profile.configTests()).keySet()),
        "The service whose configuration test runs: " + describeConfigTests(profile) + ".");
  }

  private static String describeConfigTests(StackProfile profile) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, List<String>> test : new TreeMap<>(profile.configTests()).entrySet()) {
      if (!text.isEmpty()) {
        text.append(", ");
      }
      text.append(test.getKey()).append(" runs ").append(String.join(" ", test.getValue()));
    }
    return text.toString();
  }
}
