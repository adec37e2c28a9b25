package agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deterministic brain: picks a playbook for the alert by configured rules, runs its steps and
 * concludes in code. Stateless: the step to plan next and every conclusion are derived from the
 * view's transcript, so a recovered incident gets the same decision again.
 */
public final class PlaybookBrain implements Brain {

  private static final Logger log = LoggerFactory.getLogger(PlaybookBrain.class);

  /** Transcript statuses that mean the command never reached the host. */
  static final Set<String> UNREACHABLE = Set.of("unreachable", "auth_failed", "host_key_rejected", "not_in_inventory");

  public static final String DISK_SPACE = "disk-space";
  public static final String EXCESSIVE_REQUESTS = "excessive-requests";
  public static final String CONFIG_DOWNTIME = "config-downtime";
  public static final String RESOURCE_HOGS = "resource-hogs";
  public static final String GENERAL_TRIAGE = "general-triage";
  public static final String TLS_CERTIFICATES = "tls-certificates";

  private final PlaybookRules rules;
  private final Map<String, Playbook> playbooks;
  private final Map<String, List<Insight.KbLink>> kbLinks;
  private final StackProfile profile;
  private final int maxSteps;

  PlaybookBrain(PlaybookRules rules, Map<String, Playbook> playbooks, Map<String, List<Insight.KbLink>> kbLinks,
      StackProfile profile, int maxSteps) {
    if (maxSteps < 1) {
      throw new IllegalArgumentException("fleet-sre.playbooks.max-steps is " + maxSteps + ": expected at least 1");
    }
    for (PlaybookRules.Rule rule : rules.rules()) {
      requireKnown(playbooks, rule.playbook());
    }
    this.rules = rules;
    this.playbooks = Map.copyOf(playbooks);
    this.kbLinks = Map.copyOf(kbLinks);
    this.profile = profile;
    this.maxSteps = maxSteps;
  }

  /**
   * Builds the brain from a {@code fleet-sre} block: {@code stack-profile} and {@code playbooks}.
   * A block that is missing falls back to {@code stack-profile.conf} and {@code playbooks.conf} on
   * the classpath, and keys missing from a given block fall back to those files too.
   */
  public static PlaybookBrain fromConfig(Config fleetSre, Analyzers analyzers, Clock clock) {
    Config config = fleetSre
        .withFallback(ConfigFactory.parseResources("stack-profile.conf").getConfig("fleet-sre"))
        .withFallback(ConfigFactory.parseResources("playbooks.conf").getConfig("fleet-sre"))
        .resolve();
    StackProfile profile = StackProfile.fromConfig(config.getConfig("stack-profile"));
    Config settings = config.getConfig("playbooks");
    Planner planner = new Planner(analyzers, profile);

    Map<String, Playbook> playbooks = new LinkedHashMap<>();
    playbooks.put(DISK_SPACE, new DiskSpacePlaybook(planner, settings.getConfig(DISK_SPACE), clock));
    playbooks.put(EXCESSIVE_REQUESTS, new ExcessiveRequestsPlaybook(planner, settings.getConfig(EXCESSIVE_REQUESTS)));
    playbooks.put(CONFIG_DOWNTIME, new ConfigDowntimePlaybook(planner));
    playbooks.put(RESOURCE_HOGS, new ResourceHogsPlaybook(planner, settings.getConfig(RESOURCE_HOGS)));
    playbooks.put(TLS_CERTIFICATES, new TlsCertificatesPlaybook(planner, settings.getConfig(TLS_CERTIFICATES)));
    playbooks.put(GENERAL_TRIAGE, new GeneralTriagePlaybook(planner, settings.getConfig(GENERAL_TRIAGE)));

    Map<String, List<Insight.KbLink>> links = new LinkedHashMap<>();
    for (String id : playbooks.keySet()) {
      List<Insight.KbLink> list = new ArrayList<>();
      String path = id + ".kb-links";
      if (settings.hasPath(path)) {
        for (Config link : settings.getConfigList(path)) {
          list.add(new Insight.KbLink(link.getString("title"), link.getString("url")));
        }
      }
      links.put(id, List.copyOf(list));
    }
    PlaybookRules rules = PlaybookRules.fromConfig(settings);
    requireKnown(playbooks, settings.getString("default-playbook"));
    return new PlaybookBrain(rules, playbooks, links, profile, settings.getInt("max-steps"));
  }

  /** Returns the knowledge-base links configured for the playbook this alert selects. */
  public List<Insight.KbLink> kbLinksFor(Alert alert) {
    return kbLinks.getOrDefault(selectPlaybook(alert), List.of());
  }

  @Override
  public String name() {
    return "playbook";
  }

  /** Returns the playbook id the rules pick for an alert. */
  public String selectPlaybook(Alert alert) {
    return rules.select(alert);
  }

  @Override
  public Decision decide(View view) {
    Playbook playbook = playbooks.get(rules.select(view.alert()));
    Investigation investigation = new Investigation(view, profile);
    int done = Math.max(view.stepsTaken(), highestStep(view.transcript()));

    String unreachable = unreachableReason(view.transcript(), done);
    if (unreachable != null) {
      return conclude(playbook, investigation, Outcome.failed(unreachable));
    }
    if (view.mustConclude()) {
      String reason = view.concludeReason().isBlank() ? "the investigation budget ran out" : view.concludeReason();
      return conclude(playbook, investigation, Outcome.partial(reason));
    }
    List<PlannedCommand> next;
    try {
      next = playbook.step(done + 1, investigation);
    } catch (RuntimeException e) {
      log.warn("Playbook [{}] could not plan step {} of incident [{}]: {}", playbook.id(), done + 1,
          view.incidentId(), e.toString(), e);
      return conclude(playbook, investigation,
          Outcome.partial("step " + (done + 1) + " could not be planned: " + e.getMessage()));
    }
    if (next.isEmpty()) {
      return conclude(playbook, investigation, Outcome.complete());
    }
    if (done >= maxSteps) {
      return conclude(playbook, investigation,
          Outcome.partial("the step limit was reached (max-steps = " + maxSteps + ")"));
    }
    String rationale = "Playbook " + playbook.id() + ", step " + (done + 1) + ": "
        + String.join(", ", new LinkedHashSet<>(next.stream().map(PlannedCommand::analyzer).toList()));
    return new RunCommands(rationale, next);
  }

  private Conclude conclude(Playbook playbook, Investigation investigation, Outcome outcome) {
    List<Insight.KbLink> links = kbLinks.getOrDefault(playbook.id(), List.of());
    List<TranscriptEntry> transcript = investigation.transcript();
    boolean anyRan = transcript.stream().anyMatch(TranscriptEntry::ranToExit);
    if (outcome.status.equals("failed") || !anyRan) {
      String reason = outcome.status.equals("failed") ? outcome.reason : noCommandRanReason(transcript, outcome);
      return new Conclude(failedDraft(playbook.id(), reason, transcript, links));
    }

    Conclusion conclusion;
    try {
      conclusion = playbook.conclude(investigation);
    } catch (RuntimeException e) {
      log.error("Playbook [{}] failed to conclude incident [{}]: {}", playbook.id(), investigation.incidentId(),
          e.toString(), e);
      conclusion = new Conclusion();
      conclusion.summary = "The playbook could not draw a conclusion from the findings (" + e.getMessage() + ").";
      outcome = Outcome.partial("the conclusion failed: " + e.getMessage());
    }
    CommandNotes.add(conclusion, transcript);
    String summary = conclusion.summary;
    if (outcome.status.equals("partial")) {
      summary = "Partial investigation (" + outcome.reason + "). " + summary;
    }
    return new Conclude(new InsightDraft(playbook.id(), outcome.status, summary, conclusion.rootCause,
        conclusion.remediation, conclusion.fixes, links, conclusion.evidence));
  }

  private static InsightDraft failedDraft(String playbook, String reason, List<TranscriptEntry> transcript,
      List<Insight.KbLink> links) {
    Conclusion conclusion = new Conclusion();
    conclusion.remediation.add(CommandNotes.adviceFor(transcript));
    CommandNotes.add(conclusion, transcript);
    return new InsightDraft(playbook, "failed", "The host could not be investigated: " + reason + ".",
        "Unknown: no diagnostic output was collected.", conclusion.remediation, List.of(), links, conclusion.evidence);
  }

  private static String noCommandRanReason(List<TranscriptEntry> transcript, Outcome outcome) {
    if (transcript.isEmpty()) {
      return outcome.reason.isEmpty() ? "no command was run" : "no command was run (" + outcome.reason + ")";
    }
    Map<String, Integer> byStatus = new LinkedHashMap<>();
    for (TranscriptEntry entry : transcript) {
      byStatus.merge(entry.status(), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    byStatus.forEach((status, count) -> parts.add(count + " " + status));
    return "no diagnostic command ran to completion (" + String.join(", ", parts) + ")";
  }

  /** Returns why every command of the last step failed to reach the host, or null when at least one reached it. */
  static String unreachableReason(List<TranscriptEntry> transcript, int step) {
    List<TranscriptEntry> last = transcript.stream().filter(e -> e.step() == step).toList();
    if (last.isEmpty() || !last.stream().allMatch(e -> UNREACHABLE.contains(e.status()))) {
      return null;
    }
    Set<String> reasons = new LinkedHashSet<>();
    for (TranscriptEntry entry : last) {
      reasons.add(entry.status() + (entry.detail().isBlank() ? "" : ": " + entry.detail()));
    }
    return "every command of step " + step + " failed to reach the host (" + String.join("; ", reasons) + ")";
  }

  private static int highestStep(List<TranscriptEntry> transcript) {
    return transcript.stream().mapToInt(TranscriptEntry::step).max().orElse(0);
  }

  private static void requireKnown(Map<String, Playbook> playbooks, String id) {
    if (!playbooks.containsKey(id)) {
      throw new IllegalArgumentException("fleet-sre.playbooks names an unknown playbook [" + id + "]; expected one of "
          + playbooks.keySet());
    }
  }

  /** The status of a conclusion and, unless complete, why. */
  private record Outcome(String status, String reason) {
    static Outcome complete() {
      return new Outcome("complete", "");
    }

    static Outcome partial(String reason) {
      return new Outcome("partial", reason);
    }

    static Outcome failed(String reason) {
      return new Outcome("failed", reason);
    }
  }
}
