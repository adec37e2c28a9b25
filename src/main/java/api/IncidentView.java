package api;

import actors.IncidentState;
import agent.Alert;
import agent.Insight;
import agent.Judge;
import agent.ModelTurn;
import agent.TranscriptEntry;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The wire form of an incident for {@code GET /api/v1/incidents/{id}}.
 *
 * @param state {@code open}, {@code investigating}, {@code judging}, {@code published}, {@code awaiting-review} or {@code closed}
 * @param outcome for a closed incident: {@code resolved}, {@code self-resolved}, {@code cancelled} or
 *     {@code rejected} (a reviewer found the held insight wrong or unsafe); else empty
 * @param review whether the insight went to human review, why, and the reviewer's verdict on a held insight
 */
public record IncidentView(
    String incidentId,
    String state,
    String outcome,
    String host,
    String kind,
    Instant openedAt,
    Instant concludedAt,
    Instant closedAt,
    Alert alert,
    List<Alert> attachedAlerts,
    int alertsReceived,
    int steps,
    List<TranscriptEntry> transcript,
    List<ModelTurn> turns,
    Insight insight,
    Judge.Verdict verdict,
    boolean insightDelivered,
    IncidentState.ReviewStatus review) {

  public static IncidentView of(IncidentState s) {
    return new IncidentView(
        s.incidentId(),
        s.phase().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        s.outcome(),
        s.host(),
        s.alert() == null ? "" : s.alert().kind(),
        s.openedAt(),
        s.concludedAt(),
        s.closedAt(),
        s.alert(),
        s.attachedAlerts(),
        s.alertsReceived(),
        s.steps(),
        s.transcript(),
        s.turns(),
        s.insight(),
        s.verdict(),
        s.delivered(),
        s.review());
  }
}
