package agent;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where things live on the hosts of this fleet: the paths and commands the playbooks and
 * analyzers look at. Read from {@code fleet-sre.stack-profile}, so an operator (or a test) can
 * point the engine at another layout without code changes.
 *
 * @param diskRoots directories whose usage is broken down when a filesystem fills up
 * @param webRoots directories that hold application code and uploads, one sub-directory per site
 * @param logDirs directories that hold web server access and error logs
 * @param accessLogNames file name globs (for {@code find -name}) of access logs inside the log directories
 * @param errorLogs error log files read by the general triage
 * @param backupDirs directories where backups are written
 * @param databaseDirs data directories of databases, never to be deleted by hand
 * @param configTests service name to the argv of its configuration test, e.g. {@code nginx -> [nginx, -t]}
 * @param largeFileMinKb smallest file, in KiB, that the disk playbook lists as a deletion candidate
 * @param accessLogLines how many of the newest lines of each access log are analysed
 * @param errorLogLines how many of the newest lines of each error log are read
 * @param oldBackupDays age in days after which a backup counts as old
 * @param topProcesses how many processes the process listing keeps
 * @param tlsCertDirs directories searched, two levels deep, for TLS certificate files
 * @param tlsCertNames file name globs (for {@code find -name}) of certificate files in those directories
 * @param tlsMaxCertificates most certificate files whose expiry one investigation reads
 */
public record StackProfile(
    List<String> diskRoots,
    List<String> webRoots,
    List<String> logDirs,
    List<String> accessLogNames,
    List<String> errorLogs,
    List<String> backupDirs,
    List<String> databaseDirs,
    Map<String, List<String>> configTests,
    int largeFileMinKb,
    int accessLogLines,
    int errorLogLines,
    int oldBackupDays,
    int topProcesses,
    List<String> tlsCertDirs,
    List<String> tlsCertNames,
    int tlsMaxCertificates) {

  /** Certificate settings of a profile that does not name its own: certbot's and Debian's directories. */
  public static final List<String> DEFAULT_TLS_CERT_DIRS = List.of("/etc/letsencrypt/live", "/etc/ssl/certs");
  public static final List<String> DEFAULT_TLS_CERT_NAMES = List.of("cert.pem", "*.crt");
  public static final int DEFAULT_TLS_MAX_CERTIFICATES = 20;

  /** Creates a profile with the default certificate settings. */
  public StackProfile(
      List<String> diskRoots,
      List<String> webRoots,
      List<String> logDirs,
      List<String> accessLogNames,
      List<String> errorLogs,
      List<String> backupDirs,
      List<String> databaseDirs,
      Map<String, List<String>> configTests,
      int largeFileMinKb,
      int accessLogLines,
      int errorLogLines,
      int oldBackupDays,
      int topProcesses) {
    this(diskRoots, webRoots, logDirs, accessLogNames, errorLogs, backupDirs, databaseDirs, configTests,
        largeFileMinKb, accessLogLines, errorLogLines, oldBackupDays, topProcesses,
        DEFAULT_TLS_CERT_DIRS, DEFAULT_TLS_CERT_NAMES, DEFAULT_TLS_MAX_CERTIFICATES);
  }

  public StackProfile {
    diskRoots = List.copyOf(diskRoots);
    webRoots = List.copyOf(webRoots);
    logDirs = List.copyOf(logDirs);
    accessLogNames = List.copyOf(accessLogNames);
    errorLogs = List.copyOf(errorLogs);
    backupDirs = List.copyOf(backupDirs);
    databaseDirs = List.copyOf(databaseDirs);
    configTests = Map.copyOf(configTests);
    tlsCertDirs = List.copyOf(tlsCertDirs);
    tlsCertNames = List.copyOf(tlsCertNames);
  }

  /** Reads a {@code fleet-sre.stack-profile} block. */
  public static StackProfile fromConfig(Config c) {
    Map<String, List<String>> configTests = new LinkedHashMap<>();
    Config tests = c.getConfig("config-tests");
    for (String service : tests.root().keySet()) {
      configTests.put(service, tests.getStringList(service));
    }
    return new StackProfile(
        c.getStringList("disk-roots"),
        c.getStringList("web-roots"),
        c.getStringList("log-dirs"),
        c.getStringList("access-log-names"),
        c.getStringList("error-logs"),
        c.getStringList("backup-dirs"),
        c.getStringList("database-dirs"),
        configTests,
        c.getInt("large-file-min-kb"),
        c.getInt("access-log-lines"),
        c.getInt("error-log-lines"),
        c.getInt("old-backup-days"),
        c.getInt("top-processes"),
        c.getStringList("tls-cert-dirs"),
        c.getStringList("tls-cert-names"),
        c.getInt("tls-max-certificates"));
  }
}
