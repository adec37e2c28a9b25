package actors;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Publishes the agreement between judge and reviewers as meters, from the review queue's counts:
 * {@code fleet_sre.review.agreement{use_case,result=agree|disagree}} counts decisions and
 * {@code fleet_sre.review.agreement.ratio{use_case}} is the share in agreement (NaN before the first
 * decision), with {@code use_case=all} over every use case. The counts come from the queue's
 * persistent state, so they survive a restart.
 *
 * <p>NOTE: the meters are registered on the node that runs the queue singleton; another node's
 * {@code /metrics} does not show them, but {@code GET /api/v1/reviews/stats} works on every node.
 */
public final class AgreementMeters implements Consumer<Map<String, ReviewQueue.Agreement>> {

  static final String ALL = "all";

  private final MeterRegistry registry;
  private final Map<String, ReviewQueue.Agreement> counts = new ConcurrentHashMap<>();

  public AgreementMeters(MeterRegistry registry) {
    this.registry = registry;
    register(ALL);
  }

  @Override
  public void accept(Map<String, ReviewQueue.Agreement> byUseCase) {
    ReviewQueue.Agreement total = ReviewQueue.Agreement.NONE;
    for (Map.Entry<String, ReviewQueue.Agreement> entry : byUseCase.entrySet()) {
      if (counts.put(entry.getKey(), entry.getValue()) == null) {
        register(entry.getKey());
      }
      total = new ReviewQueue.Agreement(total.agree() + entry.getValue().agree(),
          total.disagree() + entry.getValue().disagree());
    }
    counts.put(ALL, total);
  }

  private void register(String useCase) {
    FunctionCounter.builder("fleet_sre.review.agreement", counts, c -> count(c, useCase).agree())
        .tags("use_case", useCase, "result", "agree")
        .description("reviews where the reviewer agreed with the judge")
        .register(registry);
    FunctionCounter.builder("fleet_sre.review.agreement", counts, c -> count(c, useCase).disagree())
        .tags("use_case", useCase, "result", "disagree")
        .description("reviews where the reviewer disagreed with the judge")
        .register(registry);
    Gauge.builder("fleet_sre.review.agreement.ratio", counts, c -> count(c, useCase).ratio())
        .tags("use_case", useCase)
        .description("share of reviews where the reviewer agreed with the judge")
        .register(registry);
  }

  private static ReviewQueue.Agreement count(Map<String, ReviewQueue.Agreement> counts, String useCase) {
    return counts.getOrDefault(useCase, ReviewQueue.Agreement.NONE);
  }
}
