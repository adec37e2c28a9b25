package agent;

import java.util.List;

/** Checks an insight before it is published. */
public interface Judge {

  Verdict judge(Insight insight, List<TranscriptEntry> transcript);

  /**
   * The judge's decision.
   *
   * @param publish true to publish now, false to hold the insight for human review
   * @param judge which judge decided
   * @param reasons what failed, or what was checked when everything passed
   * @param efficiency 1 minus the largest share of a budget the investigation used (steps,
   *     commands, model tokens), so a correct but wasteful investigation shows a low value; 1 when
   *     the judge does not score it
   */
  record Verdict(boolean publish, String judge, List<String> reasons, double efficiency) {
    public Verdict {
      reasons = List.copyOf(reasons);
    }

    public Verdict(boolean publish, String judge, List<String> reasons) {
      this(publish, judge, reasons, 1.0);
    }
  }
}
