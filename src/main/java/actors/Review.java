package actors;

import agent.Judge;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One insight in the human review queue. The review id is the incident id, so an incident is
 * reviewed at most once however often it is submitted.
 *
 * @param reviewId the review, equal to {@code incidentId}
 * @param incidentId the reviewed incident
 * @param host the investigated host
 * @param alertKind the alert kind of the incident
 * @param useCase the insight's playbook, else its alert kind
 * @param held true when the judge held the insight (it waits for this review), false when the
 *     judge published it and it was sampled
 * @param reason why it is reviewed: {@code held by the judge}, or the sampling rule
 * @param summary the insight's summary
 * @param verdict the judge's verdict
 * @param submittedAt when the queue took it
 * @param claim the reviewer working on it, or null; an expired claim counts as none
 * @param decision the reviewer's verdict, or null while the review is open
 * @param applied for a held insight, whether the incident confirmed the reviewer's verdict
 */
public record Review(
    String reviewId,
    String incidentId,
    String host,
    String alertKind,
    String useCase,
    boolean held,
    String reason,
    String summary,
    Judge.Verdict verdict,
    Instant submittedAt,
    Claim claim,
    Decision decision,
    boolean applied) implements JsonSerializable {

  /** Reviewer verdicts that release a held insight. */
  public static final Set<String> RELEASING = Set.of("correct", "partly-correct");

  /** Reviewer verdicts that reject a held insight. */
  public static final Set<String> REJECTING = Set.of("wrong", "unsafe");

  /** Every reviewer verdict, in the order the API documents them. */
  public static final List<String> VERDICTS = List.of("correct", "partly-correct", "wrong", "unsafe");

  /** Review statuses as the API lists them. */
  public static final List<String> STATUSES = List.of("pending", "claimed", "decided");

  /**
   * A reviewer's hold on a review.
   *
   * @param reviewer who claimed it
   * @param claimedAt when
   * @param expiresAt when the claim lapses and others may claim the review
   */
  public record Claim(String reviewer, Instant claimedAt, Instant expiresAt) implements JsonSerializable {}

  /**
   * A reviewer's verdict.
   *
   * @param verdict {@code correct}, {@code partly-correct}, {@code wrong} or {@code unsafe}
   * @param reviewer who decided
   * @param notes the reviewer's explanation; may be empty
   * @param labels free-form tags, for example {@code wrong-root-cause}
   * @param decidedAt when
   * @param agrees whether the judge's decision matches: published and correct or partly correct, or
   *     held and wrong or unsafe
   */
  public record Decision(String verdict, String reviewer, String notes, List<String> labels, Instant decidedAt,
      boolean agrees) implements JsonSerializable {
    public Decision {
      labels = labels == null ? List.of() : List.copyOf(labels);
      notes = notes == null ? "" : notes;
    }
  }

  /** Returns whether the judge's decision and a reviewer verdict agree. */
  public static boolean agrees(boolean judgePublished, String reviewerVerdict) {
    return judgePublished == RELEASING.contains(reviewerVerdict);
  }

  /** Returns {@code pending}, {@code claimed} (an unexpired claim) or {@code decided}. */
  public String status(Instant now) {
    if (decision != null) {
      return "decided";
    }
    return claimedAt(now) ? "claimed" : "pending";
  }

  /** Returns whether a reviewer has an unexpired claim at {@code now}. */
  public boolean claimedAt(Instant now) {
    return claim != null && now.isBefore(claim.expiresAt());
  }

  /** Returns whether the reviewer's verdict still has to reach the incident. */
  @JsonIgnore
  public boolean awaitsApply() {
    return held && decision != null && !applied;
  }

  Review withClaim(Claim newClaim) {
    return new Review(reviewId, incidentId, host, alertKind, useCase, held, reason, summary, verdict, submittedAt,
        newClaim, decision, applied);
  }

  Review withDecision(Decision newDecision) {
    return new Review(reviewId, incidentId, host, alertKind, useCase, held, reason, summary, verdict, submittedAt,
        claim, newDecision, applied);
  }

  Review withApplied() {
    return new Review(reviewId, incidentId, host, alertKind, useCase, held, reason, summary, verdict, submittedAt,
        claim, decision, true);
  }
}
