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

  private final int maxSteps;
  private final int maxCommands;
  private final long maxTokens;
  private final Guidelines.Source guidelines;

  /**
   * @param maxSteps the incident's step budget
   * @param maxCommands the incident's command budget
   * @param maxTokens the incident's model token budget, input and output together
   * @param guidelines the judge guidelines; the checks do not read them, but each verdict records
   *     the version in force
   */
  public StructuralJudge(int maxSteps, int maxCommands, long maxTokens, Guidelines.Source guidelines) {
    this.maxSteps = maxSteps;
    this.maxCommands = maxCommands;
    this.maxTokens = maxTokens;
    this.guidelines = guidelines;
  }

  /** A judge without guidelines: its verdicts record version 0. */
  public StructuralJudge(int maxSteps, int maxCommands, long maxTokens) {
    this(maxSteps, maxCommands, maxTokens, Guidelines.Source.NONE);
  }

  /** A judge scoring efficiency against the default budgets: 16 steps, 40 commands, 440,000 tokens. */
  public StructuralJudge() {
    this(16, 40, 440_000);
  }

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
    int unchecked = 0;
    for (Insight.Evidence evidence : insight.evidence()) {
      TranscriptEntry cited = byId.get(evidence.commandId());
      if (cited == null || !EvidenceCheck.supports(cited, evidence)) {
        problems.add("evidence for [" + evidence.claim() + "] cites command [" + evidence.commandId()
            + "], which does not support it");
      } else if (EvidenceCheck.unchecked(cited, evidence)) {
        unchecked++;
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

    int guidelinesVersion = guidelines.current().version();
    double efficiency = efficiency(insight);
    String cost = String.format(java.util.Locale.ROOT,
        "efficiency %.2f: %d of %d steps, %d of %d commands, %d of %d model tokens", efficiency,
        insight.timings().steps(), maxSteps, insight.timings().commands(), maxCommands, tokens(insight), maxTokens);
    List<String> notes = new ArrayList<>();
    notes.add(cost);
    if (unchecked > 0) {
      notes.add(unchecked + " evidence excerpts quote output beyond what the transcript keeps, so they were not compared");
    }
    if (problems.isEmpty()) {
      List<String> reasons = new ArrayList<>();
      reasons.add("summary, root cause, evidence excerpts, fix risks and remediation safety checked");
      reasons.addAll(notes);
      return new Verdict(true, "structural", reasons, efficiency, java.util.Map.of(), guidelinesVersion);
    }
    problems.addAll(notes);
    return new Verdict(false, "structural", problems, efficiency, java.util.Map.of(), guidelinesVersion);
  }

  /** 1 minus the largest share of a budget used; 0 when a budget was used up. */
  private double efficiency(Insight insight) {
    double used = Math.max((double) insight.timings().steps() / maxSteps,
        Math.max((double) insight.timings().commands() / maxCommands, (double) tokens(insight) / maxTokens));
    return Math.max(0.0, 1.0 - used);
  }

  private static long tokens(Insight insight) {
    return insight.usage() == null ? 0 : insight.usage().inputTokens() + insight.usage().outputTokens();
  }
}
