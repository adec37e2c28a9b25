package agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Decides the next step of an investigation from what has been observed so far. A brain keeps
 * no state of its own: everything it needs is in the {@link View}, so an incident that recovers
 * from its journal gets the same decision again.
 */
public interface Brain {

  /** Short name recorded in the insight, e.g. {@code playbook}. */
  String name();

  /**
   * Returns the next step. May block (a model call); the incident calls it off the actor thread.
   * When {@link View#mustConclude()} is set, the brain must return {@link Conclude}.
   */
  Decision decide(View view);

  /** Prices model tokens for the insight, in US dollars; a brain without a model costs nothing. */
  default double estimatedCostUsd(long inputTokens, long outputTokens) {
    return 0.0;
  }

  /**
   * What the brain sees.
   *
   * @param incidentId the incident
   * @param alert the alert that opened it
   * @param transcript every command so far, in order
   * @param stepsTaken how many steps were planned so far
   * @param mustConclude a budget ran out, or the host cannot be reached: conclude with what there is
   * @param concludeReason why it must conclude, for the insight; empty otherwise
   * @param turns the model turns so far, one per step a model planned; empty for a playbook brain
   */
  record View(
      String incidentId,
      Alert alert,
      List<TranscriptEntry> transcript,
      int stepsTaken,
      boolean mustConclude,
      String concludeReason,
      List<ModelTurn> turns) {

    public View {
      transcript = List.copyOf(transcript);
      turns = turns == null ? List.of() : List.copyOf(turns);
    }

    /** A view without model turns, as a brain that keeps none sees it. */
    public View(String incidentId, Alert alert, List<TranscriptEntry> transcript, int stepsTaken, boolean mustConclude,
        String concludeReason) {
      this(incidentId, alert, transcript, stepsTaken, mustConclude, concludeReason, List.of());
    }
  }

  /** The brain's answer. */
  sealed interface Decision permits RunCommands, Conclude {}

  /**
   * Run these commands next; each is checked by the command policy before it is queued.
   *
   * @param turn the model turn that asked for them, persisted with the step; null for a playbook
   */
  record RunCommands(String rationale, List<PlannedCommand> commands, ModelTurn turn) implements Decision {
    public RunCommands {
      commands = List.copyOf(commands);
    }

    public RunCommands(String rationale, List<PlannedCommand> commands) {
      this(rationale, commands, null);
    }
  }

  /**
   * Stop investigating and publish this.
   *
   * @param turn the model turn that wrote the answer; null for a playbook
   */
  record Conclude(InsightDraft draft, ModelTurn turn) implements Decision {
    public Conclude(InsightDraft draft) {
      this(draft, null);
    }
  }

  /**
   * One command a brain wants.
   *
   * @param analyzer name of the analyzer that rendered argv and will parse the output
   * @param params the analyzer's parameters
   * @param argv the rendered command
   * @param purpose why it runs, for the transcript
   * @param rejection why the brain could not turn a request into a command (a malformed tool
   *     call), recorded as a rejection; empty for a command to check and run
   */
  record PlannedCommand(String analyzer, JsonNode params, List<String> argv, String purpose, String rejection) {
    public PlannedCommand {
      argv = List.copyOf(argv);
      rejection = rejection == null ? "" : rejection;
    }

    public PlannedCommand(String analyzer, JsonNode params, List<String> argv, String purpose) {
      this(analyzer, params, argv, purpose, "");
    }

    /** A request that cannot become a command; it is recorded in the transcript with the reason. */
    public static PlannedCommand rejected(String analyzer, String purpose, String reason) {
      return rejected(analyzer, List.of(), purpose, reason);
    }

    /** The same, keeping what was requested (a model's argv, or its tool name and raw arguments) for the audit. */
    public static PlannedCommand rejected(String analyzer, List<String> requested, String purpose, String reason) {
      return new PlannedCommand(analyzer, null, requested, purpose, reason);
    }
  }
}
