package actors;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes every incident that has work left after a restart of the engine: opened but not finished,
 * sent to review but not confirmed by the queue, or released by a reviewer but not delivered. An
 * incident that recovers from its journal continues on its own. This only makes sure each one is
 * started, because nothing else would send it a message.
 */
public final class IncidentResumer {

  private static final Logger LOG = LoggerFactory.getLogger(IncidentResumer.class);

  private IncidentResumer() {}

  /** Completes with the number of incidents woken. */
  public static CompletionStage<Integer> resumeUnfinished(ActorSystem<?> system) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    CompletionStage<Set<String>> unfinished = started(journal, Incident.OPENED_TAG, Incident.FINISHED_TAG, system)
        .thenCombine(started(journal, Incident.REVIEW_REQUESTED_TAG, Incident.REVIEW_ENQUEUED_TAG, system), union())
        .thenCombine(started(journal, Incident.RELEASED_TAG, Incident.DELIVERED_TAG, system), union());

    return unfinished.thenApply(ids -> {
      ClusterSharding sharding = ClusterSharding.get(system);
      for (String incidentId : ids) {
        LOG.info("resuming unfinished incident [{}]", incidentId);
        sharding.entityRefFor(Incident.ENTITY_KEY, incidentId).tell(new Incident.Wake("engine restarted"));
      }
      return ids.size();
    });
  }

  /** Completes with the incidents that have an event tagged {@code startTag} but none tagged {@code endTag}. */
  private static CompletionStage<Set<String>> started(JdbcReadJournal journal, String startTag, String endTag,
      ActorSystem<?> system) {
    return entityIds(journal, startTag, system).thenCombine(entityIds(journal, endTag, system), (started, ended) -> {
      Set<String> open = new HashSet<>(started);
      open.removeAll(ended);
      return open;
    });
  }

  private static java.util.function.BiFunction<Set<String>, Set<String>, Set<String>> union() {
    return (a, b) -> {
      Set<String> all = new HashSet<>(a);
      all.addAll(b);
      return all;
    };
  }

  private static CompletionStage<Set<String>> entityIds(JdbcReadJournal journal, String tag, ActorSystem<?> system) {
    String prefix = Incident.ENTITY_KEY.name() + "|";
    return journal.currentEventsByTag(tag, Offset.noOffset())
        .map(EventEnvelope::persistenceId)
        .filter(id -> id.startsWith(prefix))
        .map(id -> id.substring(prefix.length()))
        .runFold(new HashSet<String>(), (ids, id) -> {
          ids.add(id);
          return ids;
        }, system);
  }
}
