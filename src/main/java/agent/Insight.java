package agent;

import java.time.Instant;
import java.util.List;

/**
 * The versioned result of an investigation, as published to the downstream topic.
 *
 * @param schemaVersion version of this document's shape; bumped on any incompatible change
 * @param incidentId the incident it concludes
 * @param host the investigated host
 * @param alert the alert that opened the incident
 * @param playbook the playbook or use case that drove the investigation
 * @param status {@code complete}, {@code partial} (a budget ran out) or {@code failed} (the host could not be investigated)
 * @param summary what is wrong, in one or two sentences
 * @param rootCause the cause, as specific as the evidence allows (a directory, an IP, a config line, a process)
 * @param remediation ordered steps for an operator
 * @param fixes concrete commands with their risk
 * @param kbLinks related knowledge-base articles
 * @param evidence which command output supports which claim; every one cites a completed command
 * @param timings when the incident opened and concluded and what the investigation cost
 * @param brain which brain investigated: {@code playbook} or a model name
 * @param usage model turns, tokens and their estimated cost; zero for the playbook brain
 * @param unverifiedClaims claims whose cited command is not a completed command of the incident, or
 *     whose excerpt is not in that command's output ({@link EvidenceCheck}),
 *     kept apart from the evidence so that they are never read as findings
 */
public record Insight(
    int schemaVersion,
    String incidentId,
    String host,
    Alert alert,
    String playbook,
    String status,
    String summary,
    String rootCause,
    List<String> remediation,
    List<Fix> fixes,
    List<KbLink> kbLinks,
    List<Evidence> evidence,
    Timings timings,
    String brain,
    Usage usage,
    List<Evidence> unverifiedClaims) {

  public static final int SCHEMA_VERSION = 1;

  public Insight {
    unverifiedClaims = unverifiedClaims == null ? List.of() : List.copyOf(unverifiedClaims);
  }

  /** An insight whose claims all cite commands of the transcript. */
  public Insight(int schemaVersion, String incidentId, String host, Alert alert, String playbook, String status,
      String summary, String rootCause, List<String> remediation, List<Fix> fixes, List<KbLink> kbLinks,
      List<Evidence> evidence, Timings timings, String brain, Usage usage) {
    this(schemaVersion, incidentId, host, alert, playbook, status, summary, rootCause, remediation, fixes, kbLinks,
        evidence, timings, brain, usage, List.of());
  }

  /** An insight of a brain that uses no model. */
  public Insight(int schemaVersion, String incidentId, String host, Alert alert, String playbook, String status,
      String summary, String rootCause, List<String> remediation, List<Fix> fixes, List<KbLink> kbLinks,
      List<Evidence> evidence, Timings timings, String brain) {
    this(schemaVersion, incidentId, host, alert, playbook, status, summary, rootCause, remediation, fixes, kbLinks,
        evidence, timings, brain, Usage.NONE);
  }

  /**
   * Model use of the investigation.
   *
   * @param modelTurns model calls made
   * @param inputTokens input tokens the endpoint reported, summed over the turns
   * @param outputTokens output tokens the endpoint reported, summed over the turns
   * @param estimatedCostUsd tokens priced with the configured per-million prices; an estimate
   */
  public record Usage(int modelTurns, long inputTokens, long outputTokens, double estimatedCostUsd) {
    public static final Usage NONE = new Usage(0, 0, 0, 0.0);
  }

  /** One concrete fix: the exact command an operator may run, and how risky it is. */
  public record Fix(String description, String command, String risk) {}

  /** A related knowledge-base article. */
  public record KbLink(String title, String url) {}

  /** A claim and the command whose output supports it. */
  public record Evidence(String claim, String commandId, String excerpt) {}

  /** Timestamps and the cost of the investigation. */
  public record Timings(Instant openedAt, Instant concludedAt, long investigationMillis, int steps, int commands) {}
}
