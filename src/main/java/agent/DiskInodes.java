package agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The inode side of the disk-space playbook: which filesystem runs out of inodes, which directory
 * contains them ({@code du --inodes}), and how to empty it when it is a cache or PHP's session store.
 * A filesystem full of inodes has free blocks, so deleting large files does not help it.
 */
final class DiskInodes {

  private static final Pattern INODE_ALERT = Pattern.compile("(?i)inode");

  private final FileClassifier classifier;
  private final Clock clock;
  private final Pattern ignoredFilesystems;
  private final Pattern ignoredMounts;
  private final int fullUsePercent;

  DiskInodes(FileClassifier classifier, Clock clock, Pattern ignoredFilesystems, Pattern ignoredMounts, int fullUsePercent) {
    this.classifier = classifier;
    this.clock = clock;
    this.ignoredFilesystems = ignoredFilesystems;
    this.ignoredMounts = ignoredMounts;
    this.fullUsePercent = fullUsePercent;
  }

  static boolean isInodeAlert(Alert alert) {
    return INODE_ALERT.matcher(alert.kind() + " " + alert.summary()).find();
  }

  /**
   * Returns the {@code df -i} entry of the filesystem whose inodes are the problem: the alert's
   * {@code mountpoint} label when df lists it, else the real filesystem with the highest inode use.
   * Returns null when its inodes are below full-use-percent and the alert is not about inodes.
   */
  JsonNode problemFilesystem(Investigation investigation) {
    Optional<TranscriptEntry> inodes = investigation.latest(InodeUsageAnalyzer.NAME);
    if (inodes.isEmpty()) {
      return null;
    }
    List<JsonNode> filesystems = Json.elements(inodes.get().findings().get("filesystems"));
    JsonNode chosen = null;
    String label = investigation.alert().labels().get("mountpoint");
    for (JsonNode fs : filesystems) {
      if (label != null && fs.get("mount").asText().equals(label) && fs.hasNonNull("usePercent")) {
        chosen = fs;
      }
    }
    if (chosen == null) {
      for (JsonNode fs : filesystems) {
        if (!fs.hasNonNull("usePercent") || ignoredFilesystems.matcher(fs.get("filesystem").asText()).find()
            || ignoredMounts.matcher(fs.get("mount").asText()).find()) {
          continue;
        }
        if (chosen == null || fs.get("usePercent").asInt() > chosen.get("usePercent").asInt()) {
          chosen = fs;
        }
      }
    }
    if (chosen == null) {
      return null;
    }
    boolean full = chosen.get("usePercent").asInt() >= fullUsePercent;
    return full || isInodeAlert(investigation.alert()) ? chosen : null;
  }

  /** Returns whether the blocks of the filesystem mounted at {@code mount} are below full-use-percent, false when df -k is missing. */
  boolean blocksBelowFull(Investigation investigation, String mount) {
    Optional<TranscriptEntry> df = investigation.latest(DiskUsageAnalyzer.NAME);
    if (df.isEmpty()) {
      return false;
    }
    for (JsonNode fs : Json.elements(df.get().findings().get("filesystems"))) {
      if (fs.get("mount").asText().equals(mount) && fs.hasNonNull("usePercent")) {
        return fs.get("usePercent").asInt() < fullUsePercent;
      }
    }
    return false;
  }

  /**
   * Names the directory that contains the most inodes of {@code inodeFs}, with evidence and a fix,
   * and returns the root cause sentence, or null when the inode counts are missing.
   *
   * @param mounts the mount points df lists, to keep only directories on that filesystem
   */
  String conclude(Investigation investigation, JsonNode inodeFs, List<String> mounts, Conclusion conclusion,
      StringBuilder summary) {
    Optional<TranscriptEntry> counts = investigation.latest(DirectoryInodesAnalyzer.NAME);
    if (counts.isEmpty()) {
      return null;
    }
    String mount = inodeFs.get("mount").asText();
    List<JsonNode> onMount = DiskSpacePlaybook.directoriesOnMount(counts.get().findings(), mount, mounts);
    JsonNode top = DiskSpacePlaybook.hotspot(onMount, "inodes");
    if (top == null) {
      return null;
    }
    String path = top.get("path").asText();
    long inodes = top.get("inodes").asLong();
    long used = inodeFs.path("used").asLong();
    String share = used > 0 ? ", " + Shell.percent((double) inodes / used) + " of the " + count(used) + " in use on " + mount : "";
    String claim = path + " holds " + count(inodes) + " inodes (files and directories)" + share;
    conclusion.evidence(Investigation.evidence(claim, counts.get(), "\t" + path, inodes + "\t" + path));
    summary.append(claim).append(". ");

    List<String> largest = new ArrayList<>();
    for (JsonNode directory : onMount.subList(0, Math.min(5, onMount.size()))) {
      largest.add(directory.get("path").asText() + " " + count(directory.get("inodes").asLong()));
    }
    conclusion.remediation.add("Directories with the most inodes on " + mount + ": " + String.join(", ", largest) + ".");
    addFix(conclusion, path, inodes);
    return path + " holds " + count(inodes) + " of the " + count(used) + " inodes in use on " + mount
        + ": very many small files fill its inode table, so new files cannot be created although blocks are free.";
  }

  private void addFix(Conclusion conclusion, String directory, long inodes) {
    if (directory.endsWith("/php/sessions")) {
      conclusion.fix("Delete PHP session files older than session.gc_maxlifetime (1440 s, 24 minutes, by default) from "
              + directory + ": those sessions have expired already",
          "find " + Shell.quote(directory) + " -xdev -type f -name 'sess_*' -cmin +24 -delete", "low");
      conclusion.remediation.add("PHP on Debian does not clean " + directory + " itself: the phpsessionclean.timer "
          + "does. Check it with systemctl status phpsessionclean.timer.");
      return;
    }
    Instant now = clock.instant();
    FileClassifier.Classification verdict = classifier.classify(directory + "/file", now.getEpochSecond(), now);
    if (verdict.category().equals(FileClassifier.CACHE) && verdict.deletable()) {
      conclusion.fix("Delete the files below " + directory + " (" + count(inodes) + " inodes): " + verdict.reason()
              + ", so pages are slower until it is warm again",
          "find " + Shell.quote(directory) + " -xdev -type f -delete", "low");
      conclusion.remediation.add("Keep the cache from filling the inodes again: give it an expiry, or keep an object "
          + "cache in Redis or Memcached rather than one file per object.");
      return;
    }
    conclusion.remediation.add("Review " + directory + " by hand: it holds " + count(inodes)
        + " inodes and is not known to be safe to empty.");
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}
