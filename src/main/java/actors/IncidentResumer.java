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
 * Wakes every incident that was opened but has not finished, after a restart of the engine. An
 * incident that recovers from its journal continues on its own; this only makes sure each one
 * is started, since nothing else would send it a message.
 */
public final class IncidentResumer {

  private static final Logger LOG = LoggerFactory.getLogger(IncidentResumer.class);

  private IncidentResumer() {}

  /** Completes with the number of incidents woken. */
  public static CompletionStage<Integer> resumeUnfinished(ActorSystem<?> system) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    CompletionStage<Set<String>> opened = entityIds(journal, Incident.OPENED_TAG, system);
    CompletionStage<Set<String>> finished = entityIds(journal, Incident.FINISHED_TAG, system);

    return opened.thenCombine(finished, (open, done) -> {
      Set<String> unfinished = new HashSet<>(open);
      unfinished.removeAll(done);
      ClusterSharding sharding = ClusterSharding.get(system);
      for (String incidentId : unfinished) {
        LOG.info("resuming unfinished incident [{}]", incidentId);
        sharding.entityRefFor(Incident.ENTITY_KEY, incidentId).tell(new Incident.Wake("engine restarted"));
      }
      return unfinished.size();
    });
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
