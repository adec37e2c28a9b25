package agent;

import java.util.List;
import agent.kb.KbHit;
import agent.kb.KbText;
import agent.kb.KnowledgeBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a brain and replaces the knowledge-base links of each insight it concludes with the
 * articles the knowledge base finds for the alert kind, the alert summary, and the insight's
 * summary and root cause. It runs inside {@link #decide}, which the incident calls off the actor
 * threads. When no article scores high enough, or retrieval fails, the brain's own links stay.
 */
public final class KbLinkingBrain implements Brain {

  private static final Logger LOG = LoggerFactory.getLogger(KbLinkingBrain.class);

  private final Brain delegate;
  private final KnowledgeBase knowledgeBase;

  public KbLinkingBrain(Brain delegate, KnowledgeBase knowledgeBase) {
    this.delegate = delegate;
    this.knowledgeBase = knowledgeBase;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public double estimatedCostUsd(long inputTokens, long outputTokens) {
    return delegate.estimatedCostUsd(inputTokens, outputTokens);
  }

  @Override
  public Decision decide(View view) {
    Decision decision = delegate.decide(view);
    if (!(decision instanceof Conclude conclude)) {
      return decision;
    }
    InsightDraft draft = conclude.draft();
    List<KbHit> hits;
    try {
      hits = knowledgeBase.related(query(view.alert(), draft));
    } catch (RuntimeException e) {
      LOG.warn("incident [{}]: knowledge-base retrieval failed, keeping the brain's links: {}", view.incidentId(),
          e.toString(), e);
      return conclude;
    }
    if (hits.isEmpty()) {
      LOG.debug("incident [{}]: no knowledge-base article reached the minimum score", view.incidentId());
      return conclude;
    }
    List<Insight.KbLink> links = hits.stream().map(hit -> new Insight.KbLink(hit.article().title(), hit.article().url()))
        .toList();
    InsightDraft linked = new InsightDraft(draft.playbook(), draft.status(), draft.summary(), draft.rootCause(),
        draft.remediation(), draft.fixes(), links, draft.evidence());
    return new Conclude(linked, conclude.turn());
  }

  /** Builds the retrieval query from the alert kind in words, the alert summary, the insight's summary and root cause. */
  static String query(Alert alert, InsightDraft draft) {
    StringBuilder query = new StringBuilder(KbText.words(alert.kind()));
    for (String part : List.of(alert.summary(), draft.summary(), draft.rootCause())) {
      if (part != null && !part.isBlank()) {
        query.append(". ").append(part.strip());
      }
    }
    return query.toString();
  }
}
