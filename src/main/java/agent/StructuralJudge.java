package agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The embedded default judge: deterministic checks that an insight is complete, grounded in the
 * transcript and proposes nothing dangerous ({@link RemediationGuard}). It publishes when every
 * check passes and holds the insight for review otherwise.
 */
public final class StructuralJudge implements Judge {

  private static final Set<String> RISKS = Set.of("low", "medium", "high");

  @Override
  public Verdict judge(Insight insight, List<TranscriptEntry> transcript) {
    List<String> problems = new ArrayList<>();
    if (insight.summary() == null || insight.summary().isBlank()) {
      problems.add("summary is empty");
    }
    if (insight.rootCause() == null || insight.rootCause().isBlank()) {
      problems.add("rootCause is empty");
    }

    java.util.Map<String, TranscriptEntry> byId = new java.util.HashMap<>();
    transcript.forEach(e -> byId.put(e.commandId(), e));
    for (Insight.Evidence evidence : insight.evidence()) {
      TranscriptEntry cited = byId.get(evidence.commandId());
      if (cited == null || !EvidenceCheck.supports(cited, evidence)) {
        problems.add("evidence for [" + evidence.claim() + "] cites command [" + evidence.commandId()
            + "], which does not support it");
      }
    }
    if (insight.status().equals("complete") && insight.evidence().isEmpty()) {
      problems.add("a complete insight cites no evidence");
    }

    for (Insight.Fix fix : insight.fixes()) {
      if (!RISKS.contains(fix.risk())) {
        problems.add("fix [" + fix.description() + "] has invalid risk [" + fix.risk() + "]; expected low, medium or high");
      }
    }

    for (RemediationGuard.Finding finding : RemediationGuard.check(insight)) {
      problems.add("dangerous step, " + finding);
    }

    if (problems.isEmpty()) {
      return new Verdict(true, "structural",
          List.of("summary, root cause, evidence, fix risks and remediation safety checked"));
    }
    return new Verdict(false, "structural", problems);
  }
}
