package actors;

import agent.Alert;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The one entry point for alerts, used by the HTTP routes, the Redis source and the command line.
 * Its stages complete only after the incident has persisted the alert, so a caller may
 * acknowledge the alert to its sender when the stage completes.
 */
public final class AlertIntake {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public AlertIntake(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  /** Delivers a firing alert and completes with the incident that took it. */
  public CompletionStage<IngestReply.Accepted> firing(Alert alert) {
    return routeFiring(alert, "", 0);
  }

  private CompletionStage<IngestReply.Accepted> routeFiring(Alert alert, String concludedIncidentId, int attempt) {
    return router(alert)
        .<IngestReply>ask(replyTo -> new IncidentRouter.RouteAlert(alert, concludedIncidentId, replyTo), askTimeout)
        .thenCompose(reply -> {
          if (reply instanceof IngestReply.Accepted accepted) {
            return java.util.concurrent.CompletableFuture.completedFuture(accepted);
          }
          String concluded = ((IngestReply.AlreadyConcluded) reply).incidentId();
          if (attempt >= 2) {
            throw new IllegalStateException("incident [" + concluded + "] kept rejecting alert for host ["
                + alert.host() + "] as concluded");
          }
          return routeFiring(alert, concluded, attempt + 1);
        });
  }

  /** Delivers a resolved notification; the incident it belongs to closes unless it has closed already. */
  public CompletionStage<IngestReply.Accepted> resolved(Alert alert) {
    return router(alert)
        .<IngestReply>ask(replyTo -> new IncidentRouter.RouteResolved(alert, replyTo), askTimeout)
        .thenApply(reply -> reply instanceof IngestReply.Accepted accepted
            ? accepted
            : new IngestReply.Accepted(((IngestReply.AlreadyConcluded) reply).incidentId(), "resolved"));
  }

  /** Reads an incident's full state; an unknown id yields a state in phase {@code EMPTY}. */
  public CompletionStage<IncidentState> details(String incidentId) {
    return sharding.entityRefFor(Incident.ENTITY_KEY, incidentId)
        .ask(Incident.GetDetails::new, askTimeout);
  }

  private EntityRef<IncidentRouter.Command> router(Alert alert) {
    return sharding.entityRefFor(IncidentRouter.ENTITY_KEY, alert.dedupKey());
  }
}
