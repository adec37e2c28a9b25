package agent;

import java.util.List;

/**
 * One model turn of an investigation as the incident persists it: what the model said, the tool
 * calls it made (in order, matching the transcript entries of the same step) and what it cost.
 *
 * @param step the investigation step of this turn, from 1
 * @param model the model name, or {@code playbook} for a step the fallback brain planned
 * @param text the model's text, if any
 * @param toolCalls the tool calls, in the order the model made them
 * @param inputTokens input tokens the endpoint reported for this turn
 * @param outputTokens output tokens the endpoint reported for this turn
 * @param note what the incident needs to know about this turn: empty, {@code invalid-answer: ...}
 *     when the final answer failed validation, or {@code fallback: ...} when the model was
 *     unavailable and the playbook brain took over
 */
public record ModelTurn(
    int step,
    String model,
    String text,
    List<ToolCall> toolCalls,
    long inputTokens,
    long outputTokens,
    String note) {

  public static final String INVALID_ANSWER = "invalid-answer: ";
  public static final String FALLBACK = "fallback: ";

  public ModelTurn {
    text = text == null ? "" : text;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    note = note == null ? "" : note;
  }

  /** One tool call as the model made it: its id, the tool name and the raw JSON arguments. */
  public record ToolCall(String id, String name, String arguments) {}

  public boolean invalidAnswer() {
    return note.startsWith(INVALID_ANSWER);
  }

  public boolean fallback() {
    return note.startsWith(FALLBACK);
  }
}
