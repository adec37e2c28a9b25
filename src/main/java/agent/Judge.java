package agent;

import java.util.List;
import java.util.Map;

/** Checks an insight before it is published. */
public interface Judge {

  Verdict judge(Insight insight, List<TranscriptEntry> transcript);

  /**
   * Returns the verdict for an insight whose {@link #judge} call threw or timed out, without
   * calling anything slow. The default holds the insight for review.
   *
   * @param reason why judging failed, for the verdict's reasons
   */
  default Verdict failed(Insight insight, List<TranscriptEntry> transcript, String reason) {
    return new Verdict(false, "none", List.of("the judge failed (" + reason + "), so the insight is held for review"));
  }

  /**
   * The judge's decision.
   *
   * @param publish true to publish now, false to hold the insight for human review
   * @param judge which judge decided
   * @param reasons what failed, or what was checked when everything passed
   * @param efficiency 1 minus the largest share of a budget the investigation used (steps,
   *     commands, model tokens), so a correct but wasteful investigation shows a low value; 1 when
   *     the judge does not score it
   * @param scores score per rubric criterion (for example {@code grounded}, {@code cause},
   *     {@code safety}, {@code actionable}), each from 0 to 1; empty when the judge has no rubric
   * @param guidelinesVersion version of the judge guidelines in force when this verdict was made;
   *     0 when there were none
   */
  record Verdict(
      boolean publish,
      String judge,
      List<String> reasons,
      double efficiency,
      Map<String, Double> scores,
      int guidelinesVersion) {
    public Verdict {
      reasons = List.copyOf(reasons);
      scores = scores == null ? Map.of() : Map.copyOf(scores);
    }

    public Verdict(boolean publish, String judge, List<String> reasons, double efficiency) {
      this(publish, judge, reasons, efficiency, Map.of(), 0);
    }

    public Verdict(boolean publish, String judge, List<String> reasons) {
      this(publish, judge, reasons, 1.0);
    }
  }
}
