package agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read access to one incident's transcript for a playbook: the entries per analyzer, and the
 * evidence that cites them.
 */
final class Investigation {

  private static final int MAX_EXCERPT = 200;

  private final Brain.View view;
  private final StackProfile profile;

  Investigation(Brain.View view, StackProfile profile) {
    this.view = view;
    this.profile = profile;
  }

  String incidentId() {
    return view.incidentId();
  }

  Alert alert() {
    return view.alert();
  }

  StackProfile profile() {
    return profile;
  }

  List<TranscriptEntry> transcript() {
    return view.transcript();
  }

  /** Entries of the analyzer that ran to an exit and whose findings parsed, in transcript order. */
  List<TranscriptEntry> usable(String analyzer) {
    List<TranscriptEntry> entries = new ArrayList<>();
    for (TranscriptEntry entry : view.transcript()) {
      if (entry.analyzer().equals(analyzer) && entry.ranToExit() && entry.findings() != null
          && entry.findings().isObject() && !entry.findings().has("parseError")) {
        entries.add(entry);
      }
    }
    return entries;
  }

  /** Returns the newest usable entry of the analyzer. */
  Optional<TranscriptEntry> latest(String analyzer) {
    List<TranscriptEntry> entries = usable(analyzer);
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
  }

  /** Returns the newest usable entry of the analyzer whose params have {@code field} equal to {@code value}. */
  Optional<TranscriptEntry> latestWith(String analyzer, String field, String value) {
    TranscriptEntry found = null;
    for (TranscriptEntry entry : usable(analyzer)) {
      if (value.equals(paramOf(entry, field))) {
        found = entry;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Returns the value of a parameter of the command behind an entry. The transcript keeps argv
   * rather than params, so it is recovered from argv: the sort option of ps, the file of tail.
   */
  static String paramOf(TranscriptEntry entry, String field) {
    List<String> argv = entry.argv();
    if (field.equals("sort")) {
      for (String arg : argv) {
        if (arg.startsWith("--sort=")) {
          return arg.substring("--sort=".length());
        }
      }
      return null;
    }
    if (field.equals("file")) {
      return argv.isEmpty() ? null : argv.get(argv.size() - 1);
    }
    return null;
  }

  /** Evidence for a claim, citing the entry with the output line that contains {@code token}, else {@code fallback}. */
  static Insight.Evidence evidence(String claim, TranscriptEntry entry, String token, String fallback) {
    return new Insight.Evidence(claim, entry.commandId(), excerpt(entry, token, fallback));
  }

  static String excerpt(TranscriptEntry entry, String token, String fallback) {
    if (token != null && entry.output() != null) {
      String[] lines = entry.output().split("\\R");
      // A line that ends with the token (a path in du or find output) beats one that merely contains it.
      for (String line : lines) {
        if (line.strip().endsWith(token)) {
          return cap(line.strip());
        }
      }
      for (String line : lines) {
        if (line.contains(token)) {
          return cap(line.strip());
        }
      }
    }
    return cap(fallback);
  }

  static String cap(String text) {
    if (text == null) {
      return "";
    }
    return text.length() > MAX_EXCERPT ? text.substring(0, MAX_EXCERPT) + "..." : text;
  }

  static String text(JsonNode node, String field) {
    return node != null && node.hasNonNull(field) ? node.get(field).asText() : null;
  }
}
