package actors;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the human review queue, from {@code fleet-sre.review}.
 *
 * @param sampling which published insights are also reviewed
 * @param claimTimeout how long a reviewer's claim reserves a review before others may claim it
 * @param askTimeout how long a caller waits for the queue or an incident to confirm a request
 * @param submitRetry delay before an incident offers a review again that the queue did not confirm
 * @param applyRetry delay before the queue sends a reviewer verdict again that the incident did not confirm
 * @param maxFinished finished reviews kept; beyond this the oldest finished ones are dropped
 * @param snapshotEvery events between two snapshots of the queue
 * @param keepSnapshots snapshots kept; events older than the oldest kept snapshot are deleted
 */
public record ReviewSettings(
    ReviewSampler sampling,
    Duration claimTimeout,
    Duration askTimeout,
    Duration submitRetry,
    Duration applyRetry,
    int maxFinished,
    int snapshotEvery,
    int keepSnapshots) {

  public ReviewSettings {
    if (maxFinished < 0) {
      throw new IllegalArgumentException("fleet-sre.review.retention.max-finished: invalid value [" + maxFinished
          + "]; expected 0 or more");
    }
    if (snapshotEvery < 1 || keepSnapshots < 1) {
      throw new IllegalArgumentException("fleet-sre.review.snapshot-every and keep-snapshots: invalid values ["
          + snapshotEvery + ", " + keepSnapshots + "]; expected 1 or more");
    }
  }

  public static ReviewSettings fromConfig(Config review) {
    return new ReviewSettings(
        ReviewSampler.fromConfig(review.getConfig("sampling")),
        review.getDuration("claim-timeout"),
        review.getDuration("ask-timeout"),
        review.getDuration("submit-retry"),
        review.getDuration("apply-retry"),
        review.getInt("retention.max-finished"),
        review.getInt("snapshot-every"),
        review.getInt("keep-snapshots"));
  }
}
