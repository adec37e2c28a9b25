package agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decides whether a large file may be deleted to free space, from its path, name and age and the
 * directories of the {@link StackProfile}. Only regenerable or superseded data is deletable.
 *
 * <p>Rules, first match wins:
 *
 * <ol>
 *   <li>under a database directory: protected, whatever the name (ib_logfile0, binlogs, a stray .gz);
 *   <li>uploads ({@code wp-content/uploads}, Laravel {@code storage/app}): protected, even archives;
 *   <li>application caches ({@code wp-content/cache}, {@code storage/framework/cache} and
 *       {@code views}) under a web root, and any {@code cache} directory outside web roots: deletable;
 *   <li>core dumps, a file named exactly {@code core} or {@code core.<digits>}: deletable, also
 *       inside a web root, because no PHP application ships a file of that name;
 *   <li>systemd journal files: protected, {@code journalctl --vacuum-size} removes them safely;
 *   <li>anything in a backup directory, and backup archives elsewhere outside web roots: deletable
 *       when older than {@code oldBackupDays}, else protected as a recent backup;
 *   <li>rotated or compressed logs: deletable;
 *   <li>active logs ({@code *.log}, or any other file directly in a log directory): protected,
 *       because the writing process holds them open and only truncation frees the space;
 *   <li>anything else under a web root, backup archives included: protected as application data;
 *   <li>the rest: not deletable, to be reviewed by hand.
 * </ol>
 */
public final class FileClassifier {

  public static final String DATABASE = "database";
  public static final String UPLOAD = "upload";
  public static final String CACHE = "cache";
  public static final String CORE_DUMP = "core-dump";
  public static final String JOURNAL = "journal";
  public static final String OLD_BACKUP = "old-backup";
  public static final String RECENT_BACKUP = "recent-backup";
  public static final String ROTATED_LOG = "rotated-log";
  public static final String ACTIVE_LOG = "active-log";
  public static final String APPLICATION = "application";
  public static final String UNKNOWN = "unknown";

  /**
   * The verdict on one file.
   *
   * @param category one of the category constants of this class
   * @param deletable whether removing the file with {@code rm} is safe
   * @param reason why, in one sentence for the operator
   */
  public record Classification(String category, boolean deletable, String reason) {

    /** Whether the file must not be removed: a known category that is not deletable. */
    public boolean isProtected() {
      return !deletable && !category.equals(UNKNOWN);
    }
  }

  private static final String COMPRESSED = "\\.(gz|xz|bz2|zst|lz4)";
  private static final Pattern CORE = Pattern.compile("core(\\.\\d+)?");
  private static final Pattern BINLOG = Pattern.compile("(mysql|mariadb|[\\w.-]+)-bin\\.(\\d{6}|index)");
  private static final Pattern ROTATED_NUMBERED = Pattern.compile(".*\\.log\\.\\d+(" + COMPRESSED + ")?");
  private static final Pattern COMPRESSED_LOG = Pattern.compile(".*\\.log(\\.\\d+)?" + COMPRESSED);
  private static final Pattern DATE_SUFFIX = Pattern.compile(".*-\\d{8}(" + COMPRESSED + ")?");
  private static final Pattern NUMBER_SUFFIX = Pattern.compile(".*\\.\\d+(" + COMPRESSED + ")?");
  private static final Pattern COMPRESSED_FILE = Pattern.compile(".*" + COMPRESSED);
  private static final Pattern DATED_DAILY_LOG = Pattern.compile(".*-\\d{4}-\\d{2}-\\d{2}\\.log");
  private static final Pattern BACKUP_NAME =
      Pattern.compile(".*\\.(sql|sql\\.gz|tar\\.gz|tgz|zip|bak)");
  private static final List<String> WEB_ROOT_CACHES =
      List.of("/wp-content/cache/", "/storage/framework/cache/", "/storage/framework/views/");

  private final List<String> databaseDirs;
  private final List<String> webRoots;
  private final List<String> backupDirs;
  private final List<String> logDirs;
  private final int oldBackupDays;

  public FileClassifier(StackProfile profile) {
    this.databaseDirs = normalised(profile.databaseDirs());
    this.webRoots = normalised(profile.webRoots());
    this.backupDirs = normalised(profile.backupDirs());
    List<String> logs = new ArrayList<>(normalised(profile.logDirs()));
    if (!logs.contains("/var/log")) {
      logs.add("/var/log");
    }
    this.logDirs = List.copyOf(logs);
    this.oldBackupDays = profile.oldBackupDays();
  }

  /**
   * Classifies one file.
   *
   * @param path absolute path as printed by find
   * @param modifiedEpochSeconds the file's mtime
   * @param now the reference time for ages
   */
  public Classification classify(String path, long modifiedEpochSeconds, Instant now) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    boolean inWebRoot = under(path, webRoots);
    boolean inLogDir = under(path, logDirs) || path.contains("/logs/") || path.contains("/log/");
    long ageDays = Math.max(0, Duration.between(Instant.ofEpochSecond(modifiedEpochSeconds), now).toDays());

    if (under(path, databaseDirs)) {
      if (BINLOG.matcher(name).matches()) {
        return protect(DATABASE, "database binary log: remove old ones with PURGE BINARY LOGS, never with rm");
      }
      return protect(DATABASE, "database data file: the server corrupts or loses data if it is removed");
    }
    if (path.contains("/wp-content/uploads/") || path.contains("/storage/app/")) {
      return protect(UPLOAD, "user upload: it cannot be regenerated");
    }
    if (inWebRoot && WEB_ROOT_CACHES.stream().anyMatch(path::contains)) {
      return delete(CACHE, "application cache: the site rebuilds it on demand");
    }
    if (!inWebRoot && (path.contains("/cache/") || path.contains("/.cache/"))) {
      return delete(CACHE, "cache: the program that wrote it rebuilds it on demand");
    }
    if (CORE.matcher(name).matches()) {
      return delete(CORE_DUMP, "core dump of a crashed process: check it with `file` if it is needed for debugging");
    }
    if (path.startsWith("/var/log/journal/") && (name.endsWith(".journal") || name.endsWith(".journal~"))) {
      return protect(JOURNAL, "systemd journal: shrink it with journalctl --vacuum-size, not rm");
    }
    boolean inBackupDir = under(path, backupDirs);
    if (inBackupDir || (!inWebRoot && BACKUP_NAME.matcher(name).matches())) {
      if (ageDays > oldBackupDays) {
        return delete(OLD_BACKUP, "backup " + ageDays + " days old, older than " + oldBackupDays
            + " days: delete it only when a newer copy exists, ideally off this host");
      }
      return protect(RECENT_BACKUP, "recent backup, " + ageDays + " days old: keep it");
    }
    if (isRotatedLog(name, inLogDir, ageDays)) {
      return delete(ROTATED_LOG, "rotated log: no process writes to it any more");
    }
    if (name.endsWith(".log") || (inLogDir && !inWebRoot)) {
      return protect(ACTIVE_LOG, "active log: truncate, don't delete, the process holds it open");
    }
    if (inWebRoot) {
      if (BACKUP_NAME.matcher(name).matches()) {
        return protect(APPLICATION, "archive inside a web root: it may be downloadable by anyone, "
            + "so move it out of the web root after review instead of deleting it blindly");
      }
      return protect(APPLICATION, "application code or data under a web root");
    }
    return new Classification(UNKNOWN, false, "unclassified, review by hand");
  }

  private static boolean isRotatedLog(String name, boolean inLogDir, long ageDays) {
    if (ROTATED_NUMBERED.matcher(name).matches() || COMPRESSED_LOG.matcher(name).matches()) {
      return true;
    }
    if (DATED_DAILY_LOG.matcher(name).matches()) {
      // Laravel's daily driver writes laravel-YYYY-MM-DD.log: only today's file is still open.
      return ageDays >= 1;
    }
    return inLogDir
        && (DATE_SUFFIX.matcher(name).matches()
            || NUMBER_SUFFIX.matcher(name).matches()
            || COMPRESSED_FILE.matcher(name).matches());
  }

  private static Classification delete(String category, String reason) {
    return new Classification(category, true, reason);
  }

  private static Classification protect(String category, String reason) {
    return new Classification(category, false, reason);
  }

  /** Returns whether {@code path} is one of {@code dirs} or below one of them. */
  static boolean under(String path, List<String> dirs) {
    for (String dir : dirs) {
      if (dir.equals("/") || path.equals(dir) || path.startsWith(dir + "/")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> normalised(List<String> dirs) {
    List<String> result = new ArrayList<>();
    for (String dir : dirs) {
      String trimmed = dir;
      while (trimmed.length() > 1 && trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      result.add(trimmed);
    }
    return List.copyOf(result);
  }
}
