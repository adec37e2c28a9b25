package actors;

/** The reply to an alert delivered to the incident router or to an incident. */
public sealed interface IngestReply extends JsonSerializable {

  /**
   * The alert is persisted in the incident.
   *
   * @param incidentId the incident, or empty when a resolved alert matched no incident
   * @param disposition {@code opened}, {@code attached}, {@code heartbeat}, {@code resolved} or {@code no-open-incident}
   */
  record Accepted(String incidentId, String disposition) implements IngestReply {}

  /** The incident has concluded and takes no new alerts; the router opens a new one. */
  record AlreadyConcluded(String incidentId) implements IngestReply {}
}
