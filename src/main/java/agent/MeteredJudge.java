package agent;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;

/**
 * Counts the verdicts of a judge by judge name and outcome ({@code fleet_sre.judge.verdicts}) and
 * times its {@link #judge} calls ({@code fleet_sre.judge.latency}, tagged with the judge kind).
 */
public final class MeteredJudge implements Judge {

  private final Judge judge;
  private final String kind;
  private final MeterRegistry meters;
  private final Timer latency;

  /** @param kind the configured judge kind, {@code structural} or {@code model}, the tag of the latency timer */
  public MeteredJudge(Judge judge, String kind, MeterRegistry meters) {
    this.judge = judge;
    this.kind = kind;
    this.meters = meters;
    this.latency = Timer.builder("fleet_sre.judge.latency").tag("kind", kind).register(meters);
  }

  @Override
  public Verdict judge(Insight insight, List<TranscriptEntry> transcript) {
    Verdict verdict = latency.record(() -> judge.judge(insight, transcript));
    count(verdict);
    return verdict;
  }

  @Override
  public Verdict failed(Insight insight, List<TranscriptEntry> transcript, String reason) {
    meters.counter("fleet_sre.judge.failures", "reason", "threw-or-timed-out").increment();
    Verdict verdict = judge.failed(insight, transcript, reason);
    count(verdict);
    return verdict;
  }

  private void count(Verdict verdict) {
    meters.counter("fleet_sre.judge.verdicts", "judge", verdict.judge(), "outcome",
        verdict.publish() ? "published" : "held").increment();
  }
}
