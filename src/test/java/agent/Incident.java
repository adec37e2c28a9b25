package agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Drives a brain the way an incident does: requests a decision, runs the planned commands against
 * recorded output, parses it with the analyzers and appends transcript entries, until the brain
 * concludes.
 */
final class Incident {

  final Brain brain;
  final Alert alert;
  final Analyzers analyzers;
  final List<TranscriptEntry> transcript = new ArrayList<>();
  final List<List<Brain.PlannedCommand>> steps = new ArrayList<>();
  private final Redactor redactor = new Redactor();
  int stepsTaken;

  Incident(Brain brain, Alert alert, Analyzers analyzers) {
    this.brain = brain;
    this.alert = alert;
    this.analyzers = analyzers;
  }

  static Alert alert(String kind, Map<String, String> labels, String summary) {
    return new Alert("web01", kind, "critical", summary, labels, Map.of(), Fixtures.NOW, "fp-" + kind, "alertmanager");
  }

  Brain.View view(boolean mustConclude, String reason) {
    return new Brain.View("inc-1", alert, List.copyOf(transcript), stepsTaken, mustConclude, reason);
  }

  /** Runs until the brain concludes, taking each command's output from {@code host}. Fails after 10 decisions. */
  InsightDraft run(Function<Brain.PlannedCommand, CommandOutput> host) {
    for (int i = 0; i < 10; i++) {
      Brain.Decision decision = brain.decide(view(false, ""));
      if (decision instanceof Brain.Conclude conclude) {
        return conclude.draft();
      }
      execute(((Brain.RunCommands) decision).commands(), host);
    }
    throw new AssertionError("the brain did not conclude after 10 decisions");
  }

  void execute(List<Brain.PlannedCommand> commands, Function<Brain.PlannedCommand, CommandOutput> host) {
    stepsTaken++;
    steps.add(commands);
    for (Brain.PlannedCommand command : commands) {
      CommandOutput output = host.apply(command);
      if (output == null) {
        reject(command, "argument /srv is not allowed");
      } else {
        record(command, output);
      }
    }
  }

  void record(Brain.PlannedCommand command, CommandOutput output) {
    String id = "cmd-" + (transcript.size() + 1);
    JsonNode findings = output.outcome() == CommandOutput.Outcome.EXITED
        ? analyzers.parse(command.analyzer(), command.argv(), output)
        : Json.object();
    String excerpt = redactor.redact(output.stdout().isEmpty() ? output.stderr() : output.stdout());
    transcript.add(new TranscriptEntry(stepsTaken, id, command.analyzer(), command.argv(), command.purpose(),
        output.outcome().name().toLowerCase(java.util.Locale.ROOT), output.exitCode(), 40, excerpt, false,
        output.error(), findings));
  }

  void reject(Brain.PlannedCommand command, String reason) {
    String id = "cmd-" + (transcript.size() + 1);
    transcript.add(new TranscriptEntry(stepsTaken, id, command.analyzer(), command.argv(), command.purpose(),
        TranscriptEntry.REJECTED, -1, 0, "", false, reason, Json.object()));
  }

  List<String> analyzersOfStep(int step) {
    return steps.get(step - 1).stream().map(Brain.PlannedCommand::analyzer).toList();
  }

  /** Checks that every evidence item cites a command of the transcript and has a claim. */
  void assertEvidenceCitesTranscript(InsightDraft draft) {
    List<String> ids = transcript.stream().map(TranscriptEntry::commandId).toList();
    assertThat(draft.evidence()).isNotEmpty();
    for (Insight.Evidence evidence : draft.evidence()) {
      assertThat(ids).as("evidence %s", evidence.claim()).contains(evidence.commandId());
      assertThat(evidence.claim()).isNotBlank();
    }
  }
}
