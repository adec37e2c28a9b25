package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A filesystem fills up: find which one, where the space went, and which large files may go.
 * Step 1 reads block and inode usage and directory sizes; step 2 lists large files below the disk
 * roots on the full filesystem, and counts the inodes per directory when inodes run out (see
 * {@link DiskInodes}). Fix commands only ever name files that the {@link FileClassifier} marks
 * deletable, checked again here at conclusion time, and never the newest backup of a directory.
 */
final class DiskSpacePlaybook implements Playbook {

  private static final Pattern INODE_ALERT = Pattern.compile("(?i)inode");
  private static final Pattern BINLOG = Pattern.compile(".*-bin\\.\\d{6}$");
  private static final Map<String, String> GROUP_TITLES = Map.of(
      FileClassifier.ROTATED_LOG, "rotated logs",
      FileClassifier.CACHE, "cache files",
      FileClassifier.CORE_DUMP, "core dumps",
      FileClassifier.OLD_BACKUP, "old backups");
  /** APT's cache of downloaded packages on Debian. */
  private static final String APT_ARCHIVES = "/var/cache/apt/archives/";

  private static final List<String> GROUP_ORDER =
      List.of(FileClassifier.ROTATED_LOG, FileClassifier.CACHE, FileClassifier.CORE_DUMP, FileClassifier.OLD_BACKUP);

  private final Planner planner;
  private final FileClassifier classifier;
  private final Clock clock;
  private final Pattern ignoredFilesystems;
  private final Pattern ignoredMounts;
  private final int directoriesReported;
  private final int pathsPerFix;
  private final long truncateMinBytes;
  private final int fullUsePercent;
  private final DiskInodes inodes;

  DiskSpacePlaybook(Planner planner, Config settings, Clock clock) {
    this.planner = planner;
    this.classifier = new FileClassifier(planner.profile());
    this.clock = clock;
    this.ignoredFilesystems = Pattern.compile(settings.getString("ignored-filesystems"));
    this.ignoredMounts = Pattern.compile(settings.getString("ignored-mounts"));
    this.directoriesReported = settings.getInt("directories-reported");
    this.pathsPerFix = Math.max(1, settings.getInt("paths-per-fix"));
    this.truncateMinBytes = settings.getLong("truncate-min-mb") * 1024 * 1024;
    this.fullUsePercent = settings.getInt("full-use-percent");
    this.inodes = new DiskInodes(classifier, clock, ignoredFilesystems, ignoredMounts, fullUsePercent);
  }

  @Override
  public String id() {
    return PlaybookBrain.DISK_SPACE;
  }

  @Override
  public List<Brain.PlannedCommand> step(int step, Investigation investigation) {
    StackProfile profile = planner.profile();
    if (step == 1) {
      return List.of(
          planner.plan(DiskUsageAnalyzer.NAME, "Which filesystem is full"),
          planner.plan(InodeUsageAnalyzer.NAME, "Whether inodes run out rather than blocks"),
          planner.plan(DirectorySizesAnalyzer.NAME,
              Json.object().set("roots", Json.arrayOf(profile.diskRoots())), "Where the space is used"));
    }
    if (step == 2) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      JsonNode inodeFs = inodes.problemFilesystem(investigation);
      if (inodeFs != null) {
        String mount = inodeFs.get("mount").asText();
        commands.add(planner.plan(DirectoryInodesAnalyzer.NAME,
            Json.object().set("roots", Json.arrayOf(rootsOn(mount, investigation))),
            "Which directories hold the inodes of " + mount));
      }
      if (inodeFs == null || !inodes.blocksBelowFull(investigation, inodeFs.get("mount").asText())) {
        List<String> roots = rootsOnFullFilesystem(investigation);
        if (!roots.isEmpty()) {
          commands.add(planner.plan(LargeFilesAnalyzer.NAME, Json.object().set("roots", Json.arrayOf(roots)),
              "Large files on the full filesystem that could be deleted"));
        }
      }
      return commands;
    }
    return List.of();
  }

  /** Returns the disk roots on the filesystem mounted at {@code mount}, or the mount point itself when none is. */
  private List<String> rootsOn(String mount, Investigation investigation) {
    List<String> mounts = investigation.latest(DiskUsageAnalyzer.NAME).map(entry -> mounts(entry.findings()))
        .orElseGet(() -> investigation.latest(InodeUsageAnalyzer.NAME).map(entry -> mounts(entry.findings())).orElse(List.of()));
    List<String> roots = new ArrayList<>();
    for (String root : planner.profile().diskRoots()) {
      if (mounts.isEmpty() || mount.equals(mountOf(root, mounts))) {
        roots.add(root);
      }
    }
    if (roots.isEmpty()) {
      roots.add(mount);
    }
    return roots;
  }

  /** Returns the disk roots on the full filesystem, or its mount point when no root lies on it; all roots without df findings. */
  private List<String> rootsOnFullFilesystem(Investigation investigation) {
    List<String> diskRoots = planner.profile().diskRoots();
    Optional<TranscriptEntry> df = investigation.latest(DiskUsageAnalyzer.NAME);
    if (df.isEmpty()) {
      return diskRoots;
    }
    JsonNode full = fullFilesystem(df.get().findings(), investigation);
    if (full == null) {
      return diskRoots;
    }
    String mount = full.get("mount").asText();
    List<String> mounts = mounts(df.get().findings());
    List<String> roots = new ArrayList<>();
    for (String root : diskRoots) {
      if (mount.equals(mountOf(root, mounts))) {
        roots.add(root);
      }
    }
    if (roots.isEmpty() && mount.startsWith("/")) {
      roots.add(mount);
    }
    return roots;
  }

  @Override
  public Conclusion conclude(Investigation investigation) {
    Conclusion conclusion = new Conclusion();
    Optional<TranscriptEntry> df = investigation.latest(DiskUsageAnalyzer.NAME);
    Optional<TranscriptEntry> inodeUsage = investigation.latest(InodeUsageAnalyzer.NAME);
    Optional<TranscriptEntry> du = investigation.latest(DirectorySizesAnalyzer.NAME);
    Optional<TranscriptEntry> large = investigation.latest(LargeFilesAnalyzer.NAME);

    StringBuilder summary = new StringBuilder();
    JsonNode full = df.map(entry -> fullFilesystem(entry.findings(), investigation)).orElse(null);
    String mount = full == null ? null : full.get("mount").asText();
    List<String> mounts = df.map(entry -> mounts(entry.findings())).orElse(List.of());
    if (full != null) {
      String claim = describeFilesystem(full);
      summary.append(claim).append(". ");
      conclusion.evidence(Investigation.evidence(claim, df.get(), full.get("filesystem").asText(), dfLine(full)));
      if (full.path("usePercent").asInt() < fullUsePercent) {
        // The alert fired on a fuller disk, or on a forecast: say so rather than imply it is full now.
        summary.append("That is below the ").append(fullUsePercent).append("% counted as full, so the alert's "
            + "condition does not hold now: space may have been freed since, or the alert fired on a trend. ");
      }
    } else if (df.isEmpty()) {
      summary.append("Filesystem usage could not be read. ");
    }
    inodeUsage.ifPresent(entry -> inodeClaim(entry, mount, investigation, conclusion, summary));
    JsonNode inodeFs = inodes.problemFilesystem(investigation);
    String inodeCause = inodeFs == null ? null : inodes.conclude(investigation, inodeFs, mounts, conclusion, summary);
    boolean onlyInodes = inodeFs != null && inodes.blocksBelowFull(investigation, inodeFs.get("mount").asText());

    String hotspot = null;
    long hotspotKb = 0;
    if (du.isPresent()) {
      List<JsonNode> onMount = directoriesOnMount(du.get().findings(), mount, mounts);
      JsonNode top = hotspot(onMount);
      if (top != null) {
        hotspot = top.get("path").asText();
        hotspotKb = top.get("sizeKb").asLong();
        String claim = "The largest directory is " + hotspot + " (" + Shell.size(hotspotKb * 1024) + ")";
        conclusion.evidence(Investigation.evidence(claim, du.get(), "\t" + hotspot, top.get("sizeKb") + "\t" + hotspot));
        summary.append(claim).append(". ");
        List<String> largest = new ArrayList<>();
        for (JsonNode directory : onMount.subList(0, Math.min(directoriesReported, onMount.size()))) {
          largest.add(directory.get("path").asText() + " " + Shell.size(directory.get("sizeKb").asLong() * 1024));
        }
        conclusion.remediation.add("Largest directories" + (mount == null ? "" : " on " + mount) + ": "
            + String.join(", ", largest) + ".");
      }
      for (JsonNode error : Json.elements(du.get().findings().get("errors"))) {
        if (error.asText().contains("Permission denied")) {
          conclusion.remediation.add("du could not read every directory (" + error.asText()
              + "); sizes below it are missing from the breakdown.");
          break;
        }
      }
    }

    long reclaimable = 0;
    int deletableCount = 0;
    if (large.isPresent()) {
      Files files = sortFiles(large.get());
      for (String category : GROUP_ORDER) {
        List<JsonNode> group = files.deletable.getOrDefault(category, List.of());
        if (category.equals(FileClassifier.CACHE)) {
          List<JsonNode> apt = group.stream().filter(f -> f.get("path").asText().startsWith(APT_ARCHIVES)).toList();
          if (!apt.isEmpty()) {
            long bytes = apt.stream().mapToLong(f -> f.get("bytes").asLong()).sum();
            reclaimable += bytes;
            deletableCount += apt.size();
            addAptCleanFix(conclusion, large.get(), apt, bytes);
            group = group.stream().filter(f -> !f.get("path").asText().startsWith(APT_ARCHIVES)).toList();
          }
        }
        for (int from = 0; from < group.size(); from += pathsPerFix) {
          List<JsonNode> chunk = group.subList(from, Math.min(group.size(), from + pathsPerFix));
          long bytes = chunk.stream().mapToLong(f -> f.get("bytes").asLong()).sum();
          reclaimable += bytes;
          deletableCount += chunk.size();
          addDeleteFix(conclusion, large.get(), category, chunk, bytes);
        }
      }
      for (JsonNode log : files.activeLogs) {
        String path = log.get("path").asText();
        conclusion.fix("Empty the active log " + path + " (" + Shell.size(log.get("bytes").asLong())
                + ") in place: the writing process keeps its file open, so rm would not free the space. "
                + "Then check its logrotate rule.",
            "truncate -s 0 " + Shell.quote(path), "medium");
        conclusion.evidence(Investigation.evidence("Active log " + path + " is " + Shell.size(log.get("bytes").asLong()),
            large.get(), path, path));
      }
      protectedNotes(conclusion, files);
      for (JsonNode kept : files.keptBackups) {
        long days = Math.max(0, (clock.instant().getEpochSecond() - kept.get("modified").asLong()) / 86_400);
        conclusion.remediation.add("Kept " + kept.get("path").asText() + " (" + Shell.size(kept.get("bytes").asLong())
            + ", " + days + " days old) although it is an old backup: it is the newest in its directory and may be "
            + "the only copy. Check that newer backups are written, and where.");
      }
      if (deletableCount == 0) {
        summary.append("No large file on it is safe to delete automatically; review the largest directory by hand. ");
      } else {
        summary.append(Shell.size(reclaimable)).append(" can be reclaimed by deleting ").append(deletableCount)
            .append(deletableCount == 1 ? " file" : " files").append(" (").append(groupNames(files)).append("). ");
      }
    } else if (onlyInodes) {
      summary.append("Its blocks are not full, so large files were not listed. ");
    } else {
      summary.append("Large files were not listed, so nothing is proposed for deletion. ");
    }
    if (hotspot != null && hotspot.startsWith("/var/cache/nginx")) {
      conclusion.remediation.add("nginx's cache grows until it reaches max_size: set max_size and inactive on its "
          + "fastcgi_cache_path or proxy_cache_path, so that the cache manager removes old entries.");
    }

    conclusion.summary = summary.toString().strip();
    conclusion.rootCause = rootCause(full, hotspot, hotspotKb, reclaimable, deletableCount);
    if (inodeCause != null) {
      conclusion.rootCause = onlyInodes ? inodeCause : (conclusion.rootCause + " " + inodeCause).strip();
    }
    conclusion.remediation.add("Make the cause stop: rotate and compress logs with logrotate, expire caches "
        + "and keep backups off this filesystem.");
    return conclusion;
  }

  /** Proposes {@code apt-get clean} for downloaded packages: APT owns that cache and empties it itself. */
  private static void addAptCleanFix(Conclusion conclusion, TranscriptEntry entry, List<JsonNode> packages, long bytes) {
    conclusion.fix("Empty APT's package cache: " + packages.size() + " downloaded .deb files (" + Shell.size(bytes)
        + ") that APT downloads again when it needs them", "apt-get clean", "low");
    String first = packages.get(0).get("path").asText();
    conclusion.evidence(Investigation.evidence(
        Shell.size(bytes) + " in " + packages.size() + " downloaded packages under " + APT_ARCHIVES, entry, first,
        packages.get(0).get("bytes") + "\t" + first));
  }

  private void addDeleteFix(Conclusion conclusion, TranscriptEntry entry, String category, List<JsonNode> chunk,
      long bytes) {
    StringBuilder command = new StringBuilder("rm --");
    for (JsonNode file : chunk) {
      command.append(' ').append(Shell.quote(file.get("path").asText()));
    }
    String title = GROUP_TITLES.get(category);
    String reason = chunk.get(0).get("reason").asText();
    String risk = category.equals(FileClassifier.OLD_BACKUP) ? "medium" : "low";
    conclusion.fix("Delete " + chunk.size() + " " + (chunk.size() == 1 ? singular(title) : title) + " ("
        + Shell.size(bytes) + "): " + reason, command.toString(), risk);
    String first = chunk.get(0).get("path").asText();
    conclusion.evidence(Investigation.evidence(
        Shell.size(bytes) + " in " + chunk.size() + " deletable " + title + ", the largest " + first,
        entry, first, chunk.get(0).get("bytes") + "\t" + first));
  }

  private static void protectedNotes(Conclusion conclusion, Files files) {
    if (!files.protectedFiles.isEmpty()) {
      Map<String, List<String>> byCategory = new LinkedHashMap<>();
      for (JsonNode file : files.protectedFiles) {
        byCategory.computeIfAbsent(file.get("category").asText(), k -> new ArrayList<>())
            .add(file.get("path").asText() + " (" + Shell.size(file.get("bytes").asLong()) + ")");
      }
      List<String> parts = new ArrayList<>();
      byCategory.forEach((category, paths) -> parts.add(category + ": "
          + String.join(", ", paths.subList(0, Math.min(3, paths.size())))
          + (paths.size() > 3 ? " and " + (paths.size() - 3) + " more" : "")));
      conclusion.remediation.add("Do not delete these protected files: " + String.join("; ", parts) + ".");
    }
    if (files.protectedFiles.stream().anyMatch(f -> BINLOG.matcher(f.get("path").asText()).matches())) {
      conclusion.remediation.add("MySQL binary logs take space: remove old ones inside MySQL, after checking that "
          + "no replica still needs them, e.g. PURGE BINARY LOGS BEFORE NOW() - INTERVAL 7 DAY;");
    }
    if (files.protectedFiles.stream().anyMatch(f -> f.get("category").asText().equals(FileClassifier.JOURNAL))) {
      conclusion.fix("Shrink the systemd journal to 500 MiB; journald deletes its oldest archived files.",
          "journalctl --vacuum-size=500M", "low");
    }
    if (!files.unknown.isEmpty()) {
      List<String> paths = files.unknown.stream().limit(5).map(f -> f.get("path").asText()).toList();
      conclusion.remediation.add("Review by hand, not classified: " + String.join(", ", paths) + ".");
    }
  }

  /**
   * Splits the large files by verdict; deletable ones are re-classified with this brain's clock
   * before any rm. The newest backup of each directory is never deletable: when every backup there
   * is old, it may be the only copy.
   */
  private Files sortFiles(TranscriptEntry entry) {
    Files files = new Files();
    Instant now = clock.instant();
    Map<String, JsonNode> newestBackups = newestBackups(entry, now);
    for (JsonNode file : Json.elements(entry.findings().get("files"))) {
      String path = file.get("path").asText();
      FileClassifier.Classification verdict = classifier.classify(path, file.get("modified").asLong(), now);
      if (verdict.category().equals(FileClassifier.OLD_BACKUP) && newestBackups.containsValue(file)) {
        files.keptBackups.add(file);
        continue;
      }
      boolean printable = path.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
      if (verdict.deletable() && file.get("deletable").asBoolean() && printable
          && GROUP_TITLES.containsKey(verdict.category())) {
        files.deletable.computeIfAbsent(verdict.category(), k -> new ArrayList<>()).add(file);
      } else if (verdict.category().equals(FileClassifier.ACTIVE_LOG) && printable
          && file.get("bytes").asLong() >= truncateMinBytes) {
        files.activeLogs.add(file);
        files.protectedFiles.add(file);
      } else if (verdict.category().equals(FileClassifier.UNKNOWN)) {
        files.unknown.add(file);
      } else {
        files.protectedFiles.add(file);
      }
    }
    return files;
  }

  /** Returns the newest old or recent backup of each directory, by parent directory. */
  private Map<String, JsonNode> newestBackups(TranscriptEntry entry, Instant now) {
    Map<String, JsonNode> newest = new LinkedHashMap<>();
    for (JsonNode file : Json.elements(entry.findings().get("files"))) {
      String path = file.get("path").asText();
      String category = classifier.classify(path, file.get("modified").asLong(), now).category();
      if (!category.equals(FileClassifier.OLD_BACKUP) && !category.equals(FileClassifier.RECENT_BACKUP)) {
        continue;
      }
      String directory = path.substring(0, Math.max(1, path.lastIndexOf('/')));
      JsonNode current = newest.get(directory);
      if (current == null || file.get("modified").asLong() > current.get("modified").asLong()) {
        newest.put(directory, file);
      }
    }
    return newest;
  }

  private static final class Files {
    final List<JsonNode> keptBackups = new ArrayList<>();
    final Map<String, List<JsonNode>> deletable = new LinkedHashMap<>();
    final List<JsonNode> activeLogs = new ArrayList<>();
    final List<JsonNode> protectedFiles = new ArrayList<>();
    final List<JsonNode> unknown = new ArrayList<>();
  }

  private static String groupNames(Files files) {
    List<String> names = new ArrayList<>();
    for (String category : GROUP_ORDER) {
      if (files.deletable.containsKey(category)) {
        names.add(GROUP_TITLES.get(category));
      }
    }
    return String.join(", ", names);
  }

  private static String singular(String title) {
    return title.endsWith("s") ? title.substring(0, title.length() - 1) : title;
  }

  private static String rootCause(JsonNode full, String hotspot, long hotspotKb, long reclaimable, int count) {
    StringBuilder cause = new StringBuilder();
    if (hotspot != null) {
      cause.append(hotspot).append(" holds ").append(Shell.size(hotspotKb * 1024));
      if (full != null && full.hasNonNull("usedKb")) {
        cause.append(" of the ").append(Shell.size(full.get("usedKb").asLong() * 1024)).append(" used on ")
            .append(full.get("mount").asText());
      }
      cause.append(". ");
    } else if (full != null) {
      cause.append(full.get("mount").asText()).append(" is ").append(full.get("usePercent").asText())
          .append("% full; the directory breakdown is missing. ");
    }
    if (count > 0) {
      cause.append(count).append(count == 1 ? " deletable file holds " : " deletable files hold ")
          .append(Shell.size(reclaimable)).append(" in total.");
    }
    return cause.toString().strip();
  }

  private void inodeClaim(TranscriptEntry entry, String mount, Investigation investigation, Conclusion conclusion,
      StringBuilder summary) {
    boolean inodeAlert = INODE_ALERT.matcher(investigation.alert().kind() + " " + investigation.alert().summary()).find();
    for (JsonNode fs : Json.elements(entry.findings().get("filesystems"))) {
      if (!fs.hasNonNull("usePercent") || (mount != null && !fs.get("mount").asText().equals(mount))) {
        continue;
      }
      int percent = fs.get("usePercent").asInt();
      if (percent >= fullUsePercent || (inodeAlert && mount != null)) {
        String claim = "Inodes on " + fs.get("mount").asText() + " are " + percent + "% used ("
            + fs.get("used").asLong() + " of " + fs.get("inodes").asLong() + ")";
        conclusion.evidence(Investigation.evidence(claim, entry, fs.get("filesystem").asText(), claim));
        summary.append(claim).append(". ");
        if (percent >= fullUsePercent) {
          conclusion.remediation.add("Inodes run out before blocks: look for directories with very many small files "
              + "(PHP sessions, cache shards, mail queues) below " + fs.get("mount").asText() + ".");
        }
      }
    }
  }

  /** Returns the filesystem the alert is about: the {@code mountpoint} label when df lists it, else the fullest real filesystem. */
  private JsonNode fullFilesystem(JsonNode df, Investigation investigation) {
    List<JsonNode> filesystems = Json.elements(df.get("filesystems"));
    String label = investigation.alert().labels().get("mountpoint");
    if (label != null) {
      for (JsonNode fs : filesystems) {
        if (fs.get("mount").asText().equals(label)) {
          return fs;
        }
      }
    }
    JsonNode fullest = null;
    for (JsonNode fs : filesystems) {
      if (!fs.hasNonNull("usePercent") || ignoredFilesystems.matcher(fs.get("filesystem").asText()).find()
          || ignoredMounts.matcher(fs.get("mount").asText()).find()) {
        continue;
      }
      if (fullest == null || fs.get("usePercent").asInt() > fullest.get("usePercent").asInt()) {
        fullest = fs;
      }
    }
    return fullest;
  }

  private static String describeFilesystem(JsonNode fs) {
    String text = "Filesystem " + fs.get("mount").asText() + " (" + fs.get("filesystem").asText() + ") is "
        + fs.get("usePercent").asText() + "% full";
    if (fs.hasNonNull("availableKb") && fs.hasNonNull("sizeKb")) {
      text += ", " + Shell.size(fs.get("availableKb").asLong() * 1024) + " available of "
          + Shell.size(fs.get("sizeKb").asLong() * 1024);
    }
    return text;
  }

  private static String dfLine(JsonNode fs) {
    return String.format(Locale.ROOT, "%s %s %s %s %s%% %s", fs.get("filesystem").asText(), fs.get("sizeKb"),
        fs.get("usedKb"), fs.get("availableKb"), fs.get("usePercent"), fs.get("mount").asText());
  }

  private static List<String> mounts(JsonNode df) {
    List<String> mounts = new ArrayList<>();
    for (JsonNode fs : Json.elements(df.get("filesystems"))) {
      mounts.add(fs.get("mount").asText());
    }
    return mounts;
  }

  /** Returns the mount point that contains {@code path}: the longest mount that is the path or a parent of it. */
  static String mountOf(String path, List<String> mounts) {
    String best = null;
    for (String mount : mounts) {
      boolean contains = mount.equals("/") || path.equals(mount) || path.startsWith(mount + "/");
      if (contains && (best == null || mount.length() > best.length())) {
        best = mount;
      }
    }
    return best;
  }

  static List<JsonNode> directoriesOnMount(JsonNode du, String mount, List<String> mounts) {
    List<JsonNode> result = new ArrayList<>();
    for (JsonNode directory : Json.elements(du.get("directories"))) {
      if (mount == null || mounts.isEmpty() || mount.equals(mountOf(directory.get("path").asText(), mounts))) {
        result.add(directory);
      }
    }
    return result;
  }

  /** Returns the {@link #hotspot(List, String)} by size in KiB. */
  static JsonNode hotspot(List<JsonNode> directories) {
    return hotspot(directories, "sizeKb");
  }

  /**
   * Descends from the largest directory into its largest child while that child contains at least half
   * of its parent, so the insight names where the space (or the inodes) concentrate rather than a
   * top-level root. {@code field} is the measure: {@code sizeKb} or {@code inodes}.
   */
  static JsonNode hotspot(List<JsonNode> directories, String field) {
    if (directories.isEmpty()) {
      return null;
    }
    JsonNode current = directories.get(0);
    while (true) {
      JsonNode largestChild = null;
      String prefix = current.get("path").asText() + "/";
      for (JsonNode candidate : directories) {
        String path = candidate.get("path").asText();
        if (path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0
            && (largestChild == null || candidate.get(field).asLong() > largestChild.get(field).asLong())) {
          largestChild = candidate;
        }
      }
      if (largestChild == null || largestChild.get(field).asLong() * 2 < current.get(field).asLong()) {
        return current;
      }
      current = largestChild;
    }
  }
}
