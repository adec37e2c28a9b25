package agent;

/** Decides whether a command of the transcript supports a claim that cites it. */
public final class EvidenceCheck {

  private EvidenceCheck() {}

  /**
   * Returns whether {@code entry} supports {@code claim}: the command has an outcome, and when the
   * policy rejected it, the claim is about that rejection (its excerpt is part of the reason), since
   * a command that never ran supports nothing else.
   */
  public static boolean supports(TranscriptEntry entry, Insight.Evidence claim) {
    if (!entry.completed()) {
      return false;
    }
    if (!entry.status().equals(TranscriptEntry.REJECTED)) {
      return true;
    }
    String excerpt = claim.excerpt() == null ? "" : claim.excerpt().strip();
    if (excerpt.endsWith("...")) {
      excerpt = excerpt.substring(0, excerpt.length() - 3);
    }
    return !excerpt.isEmpty() && entry.detail() != null && entry.detail().contains(excerpt);
  }
}
