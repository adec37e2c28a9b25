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

  /**
   * What the brain sees.
   *
   * @param incidentId the incident
   * @param alert the alert that opened it
   * @param transcript every command so far, in order
   * @param stepsTaken how many steps were planned so far
   * @param mustConclude a budget ran out, or the host cannot be reached: conclude with what there is
   * @param concludeReason why it must conclude, for the insight; empty otherwise
   */
  record View(
      String incidentId,
      Alert alert,
      List<TranscriptEntry> transcript,
      int stepsTaken,
      boolean mustConclude,
      String concludeReason) {}

  /** The brain's answer. */
  sealed interface Decision permits RunCommands, Conclude {}

  /** Run these commands next; each is checked by the command policy before it is queued. */
  record RunCommands(String rationale, List<PlannedCommand> commands) implements Decision {
    public RunCommands {
      commands = List.copyOf(commands);
    }
  }

  /** Stop investigating and publish this. */
  record Conclude(InsightDraft draft) implements Decision {}

  /**
   * One command a brain wants.
   *
   * @param analyzer name of the analyzer that rendered argv and will parse the output
   * @param params the analyzer's parameters
   * @param argv the rendered command
   * @param purpose why it runs, for the transcript
   */
  record PlannedCommand(String analyzer, JsonNode params, List<String> argv, String purpose) {
    public PlannedCommand {
      argv = List.copyOf(argv);
    }
  }
}
