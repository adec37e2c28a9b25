package agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.pattern.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A brain that asks a model, one turn per decision. It rebuilds the conversation from the
 * incident's persisted turns and transcript, so it keeps no state and a recovered incident
 * continues the same conversation. The model calls diagnostic tools (the analyzers and
 * {@code run_command}); every call becomes a planned command that the incident checks against
 * the command policy. The model ends with {@code submit_insight}, whose answer must pass the
 * answer schema; an invalid answer gets one repair turn.
 *
 * <p>When the endpoint fails after its retries, or the circuit breaker is open, the incident
 * falls back to the playbook brain from that step on and the insight says so.
 */
public final class LlmBrain implements Brain {

  private static final Logger LOG = LoggerFactory.getLogger(LlmBrain.class);

  private final ChatModel model;
  private final ModelSettings settings;
  private final ToolCatalog tools;
  private final KnowledgePack pack;
  private final StackProfile profile;
  private final PlaybookBrain fallback;
  private final CircuitBreaker breaker;
  private final MeterRegistry meters;
  private final int maxSteps;

  public LlmBrain(ChatModel model, ModelSettings settings, ToolCatalog tools, KnowledgePack pack, StackProfile profile,
      PlaybookBrain fallback, CircuitBreaker breaker, MeterRegistry meters, int maxSteps) {
    this.model = model;
    this.settings = settings;
    this.tools = tools;
    this.pack = pack;
    this.profile = profile;
    this.fallback = fallback;
    this.breaker = breaker;
    this.meters = meters;
    this.maxSteps = maxSteps;
  }

  @Override
  public String name() {
    return "model:" + settings.name();
  }

  @Override
  public double estimatedCostUsd(long inputTokens, long outputTokens) {
    return settings.costUsd(inputTokens, outputTokens);
  }

  @Override
  public Decision decide(View view) {
    Optional<ModelTurn> fallbackTurn = view.turns().stream().filter(ModelTurn::fallback).findFirst();
    if (fallbackTurn.isPresent()) {
      return continueWithPlaybook(view, fallbackTurn.get());
    }

    ChatRequest request = ChatRequest.builder()
        .messages(conversation(view))
        .toolSpecifications(toolsFor(view))
        .build();
    ChatResponse response;
    MDC.put("incidentId", view.incidentId());
    try {
      response = breaker.callWithSyncCircuitBreaker(() -> model.chat(request));
    } catch (Exception e) {
      meters.counter("fleet_sre.model.failures").increment();
      String reason = ModelCalls.describeFailure(e);
      LOG.error("incident [{}] on host [{}]: model [{}] unavailable, falling back to the playbook brain: {}",
          view.incidentId(), view.alert().host(), settings.name(), reason);
      return startPlaybook(view, reason);
    } finally {
      MDC.remove("incidentId");
    }
    return interpret(view, response);
  }

  // ---- the conversation ----

  private List<ToolSpecification> toolsFor(View view) {
    if (view.mustConclude()) {
      return List.of(PromptBuilder.submitInsightTool());
    }
    List<ToolSpecification> all = new ArrayList<>(tools.specifications());
    all.add(PromptBuilder.submitInsightTool());
    return all;
  }

  /** Rebuilds the messages of the whole investigation so far from the persisted turns and transcript. */
  List<ChatMessage> conversation(View view) {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(SystemMessage.from(PromptBuilder.systemPrompt(pack.forHost(view.alert().host()), profile, tools, maxSteps)));
    messages.add(UserMessage.from(PromptBuilder.alertMessage(view.alert())));

    Map<Integer, List<TranscriptEntry>> byStep = new LinkedHashMap<>();
    for (TranscriptEntry entry : view.transcript()) {
      byStep.computeIfAbsent(entry.step(), s -> new ArrayList<>()).add(entry);
    }

    for (ModelTurn turn : view.turns()) {
      List<ToolExecutionRequest> requests = turn.toolCalls().stream()
          .map(call -> ToolExecutionRequest.builder().id(call.id()).name(call.name()).arguments(call.arguments()).build())
          .toList();
      messages.add(requests.isEmpty() ? AiMessage.from(turn.text()) : AiMessage.from(turn.text(), requests));

      if (turn.invalidAnswer()) {
        String feedback = "Your answer is not valid: " + turn.note().substring(ModelTurn.INVALID_ANSWER.length())
            + ". Call submit_insight again with a corrected answer that follows the schema.";
        if (requests.isEmpty()) {
          messages.add(UserMessage.from(feedback));
        } else {
          for (ToolExecutionRequest call : requests) {
            messages.add(ToolExecutionResultMessage.from(call, feedback));
          }
        }
        continue;
      }

      List<TranscriptEntry> entries = byStep.getOrDefault(turn.step(), List.of());
      for (int i = 0; i < requests.size(); i++) {
        String result = i < entries.size()
            ? PromptBuilder.toolResult(entries.get(i), settings.toolResultMaxChars())
            : "No result: the command was not planned.";
        messages.add(ToolExecutionResultMessage.from(requests.get(i), result));
      }
    }

    if (view.mustConclude()) {
      messages.add(UserMessage.from("The investigation must end now: " + view.concludeReason()
          + ". Call no more diagnostic tools. Call submit_insight with what you have found, with status partial."));
    }
    return messages;
  }

  /**
   * What a rejected tool call asked for, for the transcript and the audit log: the argv of a
   * {@code run_command} when its arguments hold one, else the tool name and the raw arguments.
   */
  private static List<String> requested(ToolExecutionRequest request) {
    if (request.name().equals(ToolCatalog.RUN_COMMAND)) {
      try {
        JsonNode argv = Json.mapper().readTree(request.arguments()).get("argv");
        if (argv != null && argv.isArray() && !argv.isEmpty()) {
          List<String> words = new ArrayList<>();
          argv.forEach(word -> words.add(word.asText()));
          return words;
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException malformed) {
        // Falls through to the raw arguments.
      }
    }
    return List.of(request.name(), String.valueOf(request.arguments()));
  }

  // ---- the answer ----

  private Decision interpret(View view, ChatResponse response) {
    AiMessage ai = response.aiMessage();
    long inputTokens = ModelCalls.inputTokens(response);
    long outputTokens = ModelCalls.outputTokens(response);
    record(inputTokens, outputTokens);

    int step = view.stepsTaken() + 1;
    String modelName = response.modelName() != null ? response.modelName() : settings.name();
    List<ToolExecutionRequest> requests = ai.hasToolExecutionRequests() ? ai.toolExecutionRequests() : List.of();
    List<ModelTurn.ToolCall> calls = requests.stream()
        .map(r -> new ModelTurn.ToolCall(r.id(), r.name(), r.arguments()))
        .toList();
    String text = ai.text() == null ? "" : ai.text();

    Optional<ToolExecutionRequest> submit = requests.stream()
        .filter(r -> r.name().equals(ToolCatalog.SUBMIT_INSIGHT))
        .findFirst();
    if (submit.isPresent() || requests.isEmpty()) {
      String answerText = submit.map(ToolExecutionRequest::arguments).orElse(text);
      return answer(view, answerText, new ModelTurn(step, modelName, text, calls, inputTokens, outputTokens, ""));
    }
    if (view.mustConclude()) {
      return invalid(view, new ModelTurn(step, modelName, text, calls, inputTokens, outputTokens, ""),
          List.of("the investigation must end, so no more tool calls are possible; call submit_insight"));
    }

    List<PlannedCommand> commands = new ArrayList<>();
    for (ToolExecutionRequest request : requests) {
      ToolCatalog.ToolPlan plan = tools.plan(request.name(), request.arguments());
      commands.add(plan.command() != null
          ? plan.command()
          : PlannedCommand.rejected(request.name(), requested(request), "tool call " + request.name(), plan.error()));
    }
    LOG.debug("incident [{}]: model turn [{}] asks for [{}] tool calls", view.incidentId(), step, commands.size());
    return new RunCommands(text, commands, new ModelTurn(step, modelName, text, calls, inputTokens, outputTokens, ""));
  }

  private Decision answer(View view, String answerText, ModelTurn turn) {
    JsonNode answer;
    try {
      answer = InsightSchema.parseAnswer(answerText);
    } catch (IllegalArgumentException e) {
      return invalid(view, turn, List.of(e.getMessage()));
    }
    List<String> errors = InsightSchema.answer().validate(answer);
    if (!errors.isEmpty()) {
      return invalid(view, turn, errors);
    }

    InsightDraft draft = InsightSchema.toDraft(answer, answer.path("playbook").asText("model"),
        fallback.kbLinksFor(view.alert()));
    if (view.mustConclude() && draft.status().equals("complete")) {
      draft = withStatus(draft, "partial", "The investigation ended early: " + view.concludeReason() + ". ");
    }
    return new Conclude(draft, turn);
  }

  /** One repair turn for an invalid answer; a second invalid answer ends the investigation as failed. */
  private Decision invalid(View view, ModelTurn turn, List<String> errors) {
    String joined = String.join("; ", errors);
    ModelTurn noted = new ModelTurn(turn.step(), turn.model(), turn.text(), turn.toolCalls(), turn.inputTokens(),
        turn.outputTokens(), ModelTurn.INVALID_ANSWER + joined);
    boolean repairedOnce = !view.turns().isEmpty() && view.turns().get(view.turns().size() - 1).invalidAnswer();
    if (repairedOnce) {
      LOG.warn("incident [{}] on host [{}]: the model's answer is still invalid after a repair turn: {}",
          view.incidentId(), view.alert().host(), joined);
      String reason = "The model gave no valid insight after one repair turn: " + joined;
      return new Conclude(new InsightDraft("model", "failed", reason, reason,
          List.of("Investigate the host by hand; the transcript of this incident shows what the model ran."),
          List.of(), fallback.kbLinksFor(view.alert()), List.of()), noted);
    }
    LOG.info("incident [{}] on host [{}]: the model's answer is invalid, asking for a repair: {}",
        view.incidentId(), view.alert().host(), joined);
    return new RunCommands("invalid answer, repair requested", List.of(), noted);
  }

  // ---- fallback ----

  private Decision startPlaybook(View view, String reason) {
    int step = view.stepsTaken() + 1;
    ModelTurn turn = new ModelTurn(step, "playbook", "", List.of(), 0, 0, ModelTurn.FALLBACK + reason);
    List<ModelTurn> turns = new ArrayList<>(view.turns());
    turns.add(turn);
    Decision decision = continueWithPlaybook(new View(view.incidentId(), view.alert(), view.transcript(),
        view.stepsTaken(), view.mustConclude(), view.concludeReason(), turns), turn);
    if (decision instanceof RunCommands run) {
      return new RunCommands(run.rationale(), run.commands(), turn);
    }
    return new Conclude(((Conclude) decision).draft(), turn);
  }

  /** Lets the playbook brain decide as if the investigation had started at the fallback step. */
  private Decision continueWithPlaybook(View view, ModelTurn fallbackTurn) {
    int first = fallbackTurn.step();
    List<TranscriptEntry> own = view.transcript().stream()
        .filter(e -> e.step() >= first)
        .map(e -> new TranscriptEntry(e.step() - first + 1, e.commandId(), e.analyzer(), e.argv(), e.purpose(),
            e.status(), e.exitCode(), e.durationMillis(), e.output(), e.truncated(), e.detail(), e.findings()))
        .toList();
    View playbookView = new View(view.incidentId(), view.alert(), own, Math.max(0, view.stepsTaken() - first + 1),
        view.mustConclude(), view.concludeReason());
    Decision decision = fallback.decide(playbookView);
    if (decision instanceof Conclude conclude) {
      String reason = fallbackTurn.note().substring(ModelTurn.FALLBACK.length());
      return new Conclude(withStatus(conclude.draft(), conclude.draft().status(),
          "The model was unavailable (" + reason + "), so the playbook brain investigated. "));
    }
    return decision;
  }

  private static InsightDraft withStatus(InsightDraft draft, String status, String summaryPrefix) {
    return new InsightDraft(draft.playbook(), status, summaryPrefix + draft.summary(), draft.rootCause(),
        draft.remediation(), draft.fixes(), draft.kbLinks(), draft.evidence());
  }

  private void record(long inputTokens, long outputTokens) {
    meters.counter("fleet_sre.model.turns").increment();
    meters.counter("fleet_sre.model.tokens", "direction", "input").increment(inputTokens);
    meters.counter("fleet_sre.model.tokens", "direction", "output").increment(outputTokens);
    meters.counter("fleet_sre.model.cost.usd").increment(settings.costUsd(inputTokens, outputTokens));
  }
}
