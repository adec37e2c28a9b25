package actors;

import agent.Alert;
import agent.Insight;
import agent.InsightDraft;
import agent.Judge;
import agent.ModelTurn;
import agent.TranscriptEntry;
import com.fasterxml.jackson.annotation.JsonIgnore;
import fleet.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The state of one incident, rebuilt from its events. Immutable: every event returns a new state.
 *
 * @param incidentId the incident
 * @param phase where the incident is in its life cycle
 * @param alert the alert that opened it
 * @param attachedAlerts later alerts for the same host and kind, up to the configured maximum
 * @param alertsReceived every alert delivery, heartbeats included
 * @param deliveryKeys fingerprint and startsAt of every alert delivery chain attached
 * @param openedAt when the first alert arrived
 * @param steps steps planned so far
 * @param transcript every command, in order
 * @param turns every model turn, in order; empty for the playbook brain
 * @param insight the insight, once the investigation concluded
 * @param verdict the judge's verdict, once judged
 * @param delivered whether the insight reached the downstream topic
 * @param outcome how a closed incident ended, else empty
 * @param closeReason why it closed, else empty
 * @param concludedAt when the investigation concluded, or null
 * @param closedAt when the incident closed, or null
 * @param review whether the insight goes to human review, whether the queue has it, and the
 *     reviewer's verdict on a held insight
 */
public record IncidentState(
    String incidentId,
    Phase phase,
    Alert alert,
    List<Alert> attachedAlerts,
    int alertsReceived,
    Set<String> deliveryKeys,
    Instant openedAt,
    int steps,
    List<TranscriptEntry> transcript,
    List<ModelTurn> turns,
    Insight insight,
    Judge.Verdict verdict,
    boolean delivered,
    String outcome,
    String closeReason,
    Instant concludedAt,
    Instant closedAt,
    ReviewStatus review) implements JsonSerializable {

  public IncidentState {
    review = review == null ? ReviewStatus.NONE : review;
  }

  /**
   * The incident's side of human review.
   *
   * @param reason why the insight is reviewed ({@code held by the judge}, or the sampling rule);
   *     empty when it is not
   * @param enqueued whether the review queue confirmed it has the review
   * @param reviewId the review that decided, or empty
   * @param decision the reviewer's verdict on a held insight, or null
   */
  public record ReviewStatus(String reason, boolean enqueued, String reviewId, Review.Decision decision) {
    public static final ReviewStatus NONE = new ReviewStatus("", false, "", null);

    /** The reason recorded for every insight the judge held. */
    public static final String HELD = "held by the judge";

    @JsonIgnore
    public boolean requested() {
      return !reason.isEmpty();
    }
  }

  /** Life-cycle phases. */
  public enum Phase {
    EMPTY,
    OPEN,
    INVESTIGATING,
    JUDGING,
    PUBLISHED,
    AWAITING_REVIEW,
    CLOSED
  }

  public static IncidentState empty(String incidentId) {
    return new IncidentState(incidentId, Phase.EMPTY, null, List.of(), 0, Set.of(), null, 0, List.of(), List.of(),
        null, null, false, "", "", null, null, ReviewStatus.NONE);
  }

  // ---- queries ----

  @JsonIgnore
  public String host() {
    return alert == null ? "" : alert.host();
  }

  /** Whether the investigation may still plan and run commands. */
  @JsonIgnore
  public boolean investigating() {
    return phase == Phase.OPEN || phase == Phase.INVESTIGATING;
  }

  /** Whether the incident has an outcome and takes no new alerts (repeat deliveries still count as heartbeats). */
  @JsonIgnore
  public boolean concluded() {
    return phase == Phase.PUBLISHED || phase == Phase.AWAITING_REVIEW || phase == Phase.CLOSED;
  }

  /** Returns whether the insight goes downstream, because the judge published it or a reviewer released it. */
  @JsonIgnore
  public boolean deliverable() {
    if (verdict == null) {
      return false;
    }
    return verdict.publish() || (review.decision() != null && Review.RELEASING.contains(review.decision().verdict()));
  }

  @JsonIgnore
  public boolean isPending(String commandId) {
    return transcript.stream()
        .anyMatch(e -> e.commandId().equals(commandId) && e.status().equals(TranscriptEntry.PENDING));
  }

  @JsonIgnore
  public int pendingCount() {
    return (int) transcript.stream().filter(e -> e.status().equals(TranscriptEntry.PENDING)).count();
  }

  /** Returns the latest completed run of the same analyzer and argv, which serves a repeated request. */
  public java.util.Optional<TranscriptEntry> completedRun(String analyzer, List<String> argv) {
    for (int i = transcript.size() - 1; i >= 0; i--) {
      TranscriptEntry entry = transcript.get(i);
      if (entry.ranToExit() && entry.analyzer().equals(analyzer) && entry.argv().equals(argv)) {
        return java.util.Optional.of(entry);
      }
    }
    return java.util.Optional.empty();
  }

  /** Commands counted against the command budget: every planned command the policy allowed. */
  @JsonIgnore
  public int commandsPlanned() {
    return (int) transcript.stream().filter(e -> !e.status().equals(TranscriptEntry.REJECTED)).count();
  }

  /**
   * Completes a brain's draft with the incident's ids, alert, timings and model use. A claim whose
   * cited command does not support it ({@link agent.EvidenceCheck}) moves from the evidence to the
   * unverified claims.
   */
  public Insight toInsight(InsightDraft draft, String brainName, Instant now, Insight.Usage usage) {
    int commandsRun = (int) transcript.stream().filter(TranscriptEntry::ranToExit).count();
    Insight.Timings timings = new Insight.Timings(openedAt, now, Duration.between(openedAt, now).toMillis(), steps, commandsRun);
    java.util.Map<String, TranscriptEntry> byId = new java.util.HashMap<>();
    transcript.forEach(e -> byId.put(e.commandId(), e));
    List<Insight.Evidence> verified = new ArrayList<>();
    List<Insight.Evidence> unverified = new ArrayList<>();
    for (Insight.Evidence claim : draft.evidence()) {
      TranscriptEntry cited = byId.get(claim.commandId());
      (cited != null && agent.EvidenceCheck.supports(cited, claim) ? verified : unverified).add(claim);
    }
    return new Insight(Insight.SCHEMA_VERSION, incidentId, host(), alert, draft.playbook(), draft.status(),
        draft.summary(), draft.rootCause(), draft.remediation(), draft.fixes(), draft.kbLinks(), verified,
        timings, brainName, usage, unverified);
  }

  /** Model calls so far: turns a model answered, fallback steps of the playbook brain not counted. */
  @JsonIgnore
  public int modelTurns() {
    return (int) turns.stream().filter(t -> !t.fallback()).count();
  }

  @JsonIgnore
  public long inputTokens() {
    return turns.stream().mapToLong(ModelTurn::inputTokens).sum();
  }

  @JsonIgnore
  public long outputTokens() {
    return turns.stream().mapToLong(ModelTurn::outputTokens).sum();
  }

  /** A draft for an investigation that could not run to a conclusion of its own. */
  public static InsightDraft failedDraft(String reason) {
    return new InsightDraft("none", "failed", reason, reason, List.of("Investigate the host by hand."),
        List.of(), List.of(), List.of());
  }

  // ---- transitions ----

  IncidentState opened(Alert first, Instant at) {
    return new IncidentState(incidentId, Phase.OPEN, first, List.of(), 1, Set.of(first.deliveryKey()), at, 0,
        List.of(), List.of(), null, null, false, "", "", null, null, ReviewStatus.NONE);
  }

  IncidentState attached(Alert next, int maxAttachedAlerts) {
    List<Alert> alerts = attachedAlerts;
    if (alerts.size() < maxAttachedAlerts) {
      alerts = new ArrayList<>(attachedAlerts);
      alerts.add(next);
    }
    Set<String> keys = new LinkedHashSet<>(deliveryKeys);
    keys.add(next.deliveryKey());
    return new IncidentState(incidentId, phase, alert, List.copyOf(alerts), alertsReceived + 1, Set.copyOf(keys),
        openedAt, steps, transcript, turns, insight, verdict, delivered, outcome, closeReason, concludedAt, closedAt, review);
  }

  IncidentState heartbeat() {
    return new IncidentState(incidentId, phase, alert, attachedAlerts, alertsReceived + 1, deliveryKeys, openedAt,
        steps, transcript, turns, insight, verdict, delivered, outcome, closeReason, concludedAt, closedAt, review);
  }

  IncidentState stepPlanned(List<TranscriptEntry> entries, ModelTurn turn) {
    List<TranscriptEntry> all = new ArrayList<>(transcript);
    all.addAll(entries);
    return new IncidentState(incidentId, Phase.INVESTIGATING, alert, attachedAlerts, alertsReceived, deliveryKeys,
        openedAt, steps + 1, List.copyOf(all), withTurn(turn), insight, verdict, delivered, outcome, closeReason,
        concludedAt, closedAt, review);
  }

  IncidentState commandCompleted(CommandResult result) {
    List<TranscriptEntry> all = new ArrayList<>(transcript.size());
    for (TranscriptEntry e : transcript) {
      if (e.commandId().equals(result.commandId()) && e.status().equals(TranscriptEntry.PENDING)) {
        all.add(new TranscriptEntry(e.step(), e.commandId(), e.analyzer(), e.argv(), e.purpose(), result.status(),
            result.exitCode(), result.durationMillis(), result.excerpt(), result.truncated(), result.detail(),
            result.findings()));
      } else {
        all.add(e);
      }
    }
    return new IncidentState(incidentId, phase, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt, steps,
        List.copyOf(all), turns, insight, verdict, delivered, outcome, closeReason, concludedAt, closedAt, review);
  }

  IncidentState concludedInvestigation(Insight result, ModelTurn turn, Instant at) {
    return new IncidentState(incidentId, Phase.JUDGING, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt,
        steps, cancelPending(), withTurn(turn), result, verdict, delivered, outcome, closeReason, at, closedAt, review);
  }

  /**
   * Returns whether the insight waits for the judge: in phase JUDGING, or closed by a resolved
   * alert while the judge ran, which still judges and delivers the insight.
   *
   * <p>NOTE: the resumer counts a closed incident as finished, so if the node stops before that
   * verdict, the insight is judged only when something else wakes the incident.
   */
  @JsonIgnore
  public boolean awaitingVerdict() {
    return phase == Phase.JUDGING || (phase == Phase.CLOSED && insight != null && verdict == null);
  }

  /** Records a publishing verdict; a closed incident stays closed and still delivers the insight. */
  IncidentState published(Judge.Verdict judged) {
    return new IncidentState(incidentId, phase == Phase.CLOSED ? Phase.CLOSED : Phase.PUBLISHED, alert, attachedAlerts, alertsReceived, deliveryKeys,
        openedAt, steps, transcript, turns, insight, judged, delivered, outcome, closeReason, concludedAt, closedAt, review);
  }

  /** Records a holding verdict; a closed incident stays closed and its insight still goes to review. */
  IncidentState held(Judge.Verdict judged) {
    return new IncidentState(incidentId, phase == Phase.CLOSED ? Phase.CLOSED : Phase.AWAITING_REVIEW, alert, attachedAlerts, alertsReceived, deliveryKeys,
        openedAt, steps, transcript, turns, insight, judged, delivered, outcome, closeReason, concludedAt, closedAt,
        new ReviewStatus(ReviewStatus.HELD, false, "", null));
  }

  IncidentState sampledForReview(String reason) {
    return withReview(new ReviewStatus(reason, false, "", null));
  }

  IncidentState reviewEnqueued() {
    return withReview(new ReviewStatus(review.reason(), true, review.reviewId(), review.decision()));
  }

  /** Records that a reviewer released the held insight, which publishes it (a closed incident stays closed). */
  IncidentState released(String reviewId, Review.Decision decision) {
    Phase next = phase == Phase.AWAITING_REVIEW ? Phase.PUBLISHED : phase;
    return new IncidentState(incidentId, next, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt, steps,
        transcript, turns, insight, verdict, delivered, outcome, closeReason, concludedAt, closedAt,
        new ReviewStatus(review.reason(), review.enqueued(), reviewId, decision));
  }

  /** Records that a reviewer rejected the held insight, which is never published, and closes the incident. */
  IncidentState rejected(String reviewId, Review.Decision decision, Instant at) {
    ReviewStatus decided = new ReviewStatus(review.reason(), review.enqueued(), reviewId, decision);
    if (phase == Phase.CLOSED) {
      return withReview(decided);
    }
    String why = "reviewer " + decision.reviewer() + " found the insight " + decision.verdict()
        + (decision.notes().isEmpty() ? "" : ": " + decision.notes());
    return new IncidentState(incidentId, Phase.CLOSED, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt,
        steps, transcript, turns, insight, verdict, delivered, "rejected", why, concludedAt, at, decided);
  }

  private IncidentState withReview(ReviewStatus next) {
    return new IncidentState(incidentId, phase, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt, steps,
        transcript, turns, insight, verdict, delivered, outcome, closeReason, concludedAt, closedAt, next);
  }

  IncidentState markDelivered(Instant at) {
    return new IncidentState(incidentId, phase, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt, steps,
        transcript, turns, insight, verdict, true, outcome, closeReason, concludedAt, closedAt, review);
  }

  IncidentState closed(String how, String why, Instant at) {
    return new IncidentState(incidentId, Phase.CLOSED, alert, attachedAlerts, alertsReceived, deliveryKeys, openedAt,
        steps, cancelPending(), turns, insight, verdict, delivered, how, why, concludedAt, at, review);
  }

  private List<ModelTurn> withTurn(ModelTurn turn) {
    if (turn == null) {
      return turns;
    }
    List<ModelTurn> all = new ArrayList<>(turns);
    all.add(turn);
    return List.copyOf(all);
  }

  /** Marks commands still pending as cancelled: their results, if they come, are not recorded. */
  private List<TranscriptEntry> cancelPending() {
    List<TranscriptEntry> all = new ArrayList<>(transcript.size());
    for (TranscriptEntry e : transcript) {
      if (e.status().equals(TranscriptEntry.PENDING)) {
        all.add(new TranscriptEntry(e.step(), e.commandId(), e.analyzer(), e.argv(), e.purpose(), "cancelled",
            -1, 0, "", false, "the investigation concluded before the command finished", e.findings()));
      } else {
        all.add(e);
      }
    }
    return List.copyOf(all);
  }
}
