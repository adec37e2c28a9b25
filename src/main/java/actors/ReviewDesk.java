package actors;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The incident's access to human review: the sampler and the queue.
 *
 * @param sampler decides which published insights are reviewed too
 * @param submit adds a review to the queue; completes when the queue confirmed it
 * @param retry delay before a submission the queue did not confirm is sent again
 */
public record ReviewDesk(ReviewSampler sampler, Function<Review, CompletionStage<?>> submit, Duration retry) {

  /** No review: nothing is sampled and every submission is confirmed at once, for one-shot runs and tests. */
  public static final ReviewDesk NONE = new ReviewDesk(new ReviewSampler(0.0, Map.of(), Map.of(), 0.0, 0.0),
      review -> CompletableFuture.completedFuture(null), Duration.ofSeconds(5));
}
