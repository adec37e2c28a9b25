package agent;

import java.util.List;

/**
 * What a brain concludes; the incident adds ids, the alert and timings to make an {@link Insight}.
 */
public record InsightDraft(
    String playbook,
    String status,
    String summary,
    String rootCause,
    List<String> remediation,
    List<Insight.Fix> fixes,
    List<Insight.KbLink> kbLinks,
    List<Insight.Evidence> evidence) {

  public InsightDraft {
    remediation = List.copyOf(remediation);
    fixes = List.copyOf(fixes);
    kbLinks = List.copyOf(kbLinks);
    evidence = List.copyOf(evidence);
  }
}
