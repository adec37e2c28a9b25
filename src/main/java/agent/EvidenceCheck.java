package agent;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Decides whether a command of the transcript supports a claim that cites it. */
public final class EvidenceCheck {

  /** A redaction placeholder such as {@code [SECRET-3]}, or the generic forms a model may write for one. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\[(?:SECRET-\\d+|SECRET|REDACTED)]");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private EvidenceCheck() {}

  /**
   * Returns whether {@code entry} supports {@code claim}. The command must have an outcome. When
   * the policy rejected it, the claim must be about that rejection (its excerpt is part of the
   * reason), since a command that never ran supports nothing else. Otherwise the excerpt must appear
   * in the command's output excerpt or runner error: white space is compared as single spaces,
   * delimiter look-alikes are neutralised on both sides as in a model's tool result, a trailing
   * {@code ...} marks a cut quote, and a redaction placeholder in the excerpt matches any
   * placeholder in the output. An empty excerpt supports nothing.
   *
   * <p>NOTE: when the transcript kept only the start of a longer output ({@code truncated}), an
   * excerpt that is not in the kept part cannot be checked, so it is accepted; {@link #unchecked}
   * finds such claims. Playbooks quote lines from the full output this way.
   */
  public static boolean supports(TranscriptEntry entry, Insight.Evidence claim) {
    if (!entry.completed()) {
      return false;
    }
    String excerpt = excerpt(claim);
    if (excerpt.isEmpty()) {
      return false;
    }
    if (entry.status().equals(TranscriptEntry.REJECTED)) {
      return entry.detail() != null && entry.detail().contains(excerpt);
    }
    return quoted(entry, excerpt) || entry.truncated();
  }

  /**
   * Returns whether {@link #supports} accepts the claim only because the cited output was cut
   * before the transcript kept it, so that its excerpt was never compared.
   */
  public static boolean unchecked(TranscriptEntry entry, Insight.Evidence claim) {
    String excerpt = excerpt(claim);
    return entry.completed() && !entry.status().equals(TranscriptEntry.REJECTED) && entry.truncated()
        && !excerpt.isEmpty() && !quoted(entry, excerpt);
  }

  private static String excerpt(Insight.Evidence claim) {
    String excerpt = claim.excerpt() == null ? "" : claim.excerpt().strip();
    if (excerpt.endsWith("...")) {
      excerpt = excerpt.substring(0, excerpt.length() - 3).strip();
    }
    return excerpt;
  }

  private static boolean quoted(TranscriptEntry entry, String excerpt) {
    return appearsIn(excerpt, entry.output()) || appearsIn(excerpt, entry.detail());
  }

  /** Returns whether {@code excerpt} appears in {@code text} after both are normalised. */
  static boolean appearsIn(String excerpt, String text) {
    if (text == null || text.isEmpty()) {
      return false;
    }
    String haystack = normalise(text);
    String needle = normalise(excerpt);
    if (!PLACEHOLDER.matcher(needle).find()) {
      return haystack.contains(needle);
    }
    return toPattern(needle).matcher(haystack).find();
  }

  private static String normalise(String text) {
    return WHITESPACE.matcher(UntrustedOutput.neutralise(text)).replaceAll(" ").strip();
  }

  /**
   * Builds a literal pattern of the excerpt in which each placeholder matches any placeholder of the
   * output, because the numbering differs between redactions of the same text.
   */
  private static Pattern toPattern(String excerpt) {
    StringBuilder regex = new StringBuilder();
    Matcher placeholder = PLACEHOLDER.matcher(excerpt);
    int last = 0;
    while (placeholder.find()) {
      regex.append(Pattern.quote(excerpt.substring(last, placeholder.start())));
      regex.append("\\[SECRET-\\d+]");
      last = placeholder.end();
    }
    regex.append(Pattern.quote(excerpt.substring(last)));
    return Pattern.compile(regex.toString());
  }
}
