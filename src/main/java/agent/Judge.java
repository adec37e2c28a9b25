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
   */
  record Verdict(boolean publish, String judge, List<String> reasons) {
    public Verdict {
      reasons = List.copyOf(reasons);
    }
  }
}
