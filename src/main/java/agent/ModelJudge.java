package agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.pattern.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A judge that runs the deterministic checks of {@link StructuralJudge} first, then asks a model to
 * score the insight against a rubric ({@link #CRITERIA}) and the current judge guidelines. The
 * answer must pass {@code schema/judge-answer.schema.json}; an invalid answer gets one repair turn.
 * It publishes only when every check passes, the weighted score reaches the publish threshold and
 * the safety score reaches the safety threshold.
 *
 * <p>When the model call fails after its retries, the breaker is open, or the answer is still
 * invalid after the repair turn, the structural verdict stands, named {@code structural (fallback
 * from model:NAME)}; with {@link JudgeSettings#holdOnModelFailure()} the insight is held instead.
 * The judge only reads: nothing the model returns is run.
 */
public final class ModelJudge implements Judge {

  /** The rubric criteria, in the order the prompt and the verdict list them. */
  public static final List<String> CRITERIA = List.of("grounded", "cause", "safety", "actionable");

  private static final Logger LOG = LoggerFactory.getLogger(ModelJudge.class);

  private final ChatModel model;
  private final ModelSettings settings;
  private final JudgeSettings judgeSettings;
  private final StructuralJudge guards;
  private final Guidelines.Source guidelines;
  private final CircuitBreaker breaker;
  private final MeterRegistry meters;

  public ModelJudge(ChatModel model, ModelSettings settings, JudgeSettings judgeSettings, StructuralJudge guards,
      Guidelines.Source guidelines, CircuitBreaker breaker, MeterRegistry meters) {
    this.model = model;
    this.settings = settings;
    this.judgeSettings = judgeSettings;
    this.guards = guards;
    this.guidelines = guidelines;
    this.breaker = breaker;
    this.meters = meters;
  }

  /** Returns {@code model:NAME}, the judge name of the verdicts this judge makes itself. */
  public String name() {
    return "model:" + settings.name();
  }

  @Override
  public Verdict judge(Insight insight, List<TranscriptEntry> transcript) {
    Verdict guard = guards.judge(insight, transcript);
    Guidelines current = guidelines.current();
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(SystemMessage.from(JudgePrompt.systemPrompt(current)));
    messages.add(UserMessage.from(JudgePrompt.review(insight, transcript, settings.toolResultMaxChars())));

    JsonNode answer;
    try {
      answer = ask(messages, insight);
    } catch (JudgeFailure failure) {
      LOG.error("incident [{}] on host [{}]: model judge [{}] failed, the structural verdict stands: {}",
          insight.incidentId(), insight.host(), settings.name(), failure.getMessage());
      return fallback(guard, failure.getMessage());
    }
    return combine(guard, answer, current);
  }

  @Override
  public Verdict failed(Insight insight, List<TranscriptEntry> transcript, String reason) {
    return fallback(guards.judge(insight, transcript), reason);
  }

  // ---- the model call ----

  /** Returns a valid answer, asking once for a repair when the first answer is invalid. */
  private JsonNode ask(List<ChatMessage> messages, Insight insight) throws JudgeFailure {
    String first = call(messages);
    List<String> errors = new ArrayList<>();
    JsonNode answer = parse(first, errors);
    if (errors.isEmpty()) {
      return answer;
    }
    String joined = String.join("; ", errors);
    LOG.info("incident [{}]: the model judge's answer is invalid, asking for a repair: {}", insight.incidentId(), joined);
    messages.add(AiMessage.from(first));
    messages.add(UserMessage.from("Your answer is not valid: " + joined
        + ". Reply again with only the corrected JSON object that matches the schema."));

    String second = call(messages);
    errors.clear();
    answer = parse(second, errors);
    if (errors.isEmpty()) {
      return answer;
    }
    meters.counter("fleet_sre.judge.failures", "reason", "invalid-answer").increment();
    throw new JudgeFailure("the model gave no valid verdict after one repair turn: " + String.join("; ", errors));
  }

  private String call(List<ChatMessage> messages) throws JudgeFailure {
    ChatRequest request = ChatRequest.builder().messages(messages).build();
    ChatResponse response;
    try {
      response = breaker.callWithSyncCircuitBreaker(() -> model.chat(request));
    } catch (Exception e) {
      meters.counter("fleet_sre.judge.failures", "reason", "unavailable").increment();
      throw new JudgeFailure(ModelCalls.describeFailure(e));
    }
    long input = ModelCalls.inputTokens(response);
    long output = ModelCalls.outputTokens(response);
    meters.counter("fleet_sre.judge.calls").increment();
    meters.counter("fleet_sre.judge.tokens", "direction", "input").increment(input);
    meters.counter("fleet_sre.judge.tokens", "direction", "output").increment(output);
    meters.counter("fleet_sre.judge.cost.usd").increment(settings.costUsd(input, output));
    String text = response.aiMessage() == null ? null : response.aiMessage().text();
    return text == null ? "" : text;
  }

  /** Parses and validates an answer. Adds every problem to {@code errors} and returns null when there is one. */
  private static JsonNode parse(String text, List<String> errors) {
    JsonNode answer;
    try {
      answer = InsightSchema.parseAnswer(text);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
      return null;
    }
    errors.addAll(InsightSchema.judgeAnswer().validate(answer));
    return errors.isEmpty() ? answer : null;
  }

  // ---- the verdict ----

  private Verdict combine(Verdict guard, JsonNode answer, Guidelines current) {
    Map<String, Double> scores = new LinkedHashMap<>();
    for (String criterion : CRITERIA) {
      scores.put(criterion, answer.get(criterion).get("score").asDouble());
    }
    double weighted = weighted(scores);
    double safety = scores.get("safety");
    boolean scoreOk = weighted >= judgeSettings.publishThreshold();
    boolean safetyOk = safety >= judgeSettings.safetyThreshold();

    List<String> reasons = new ArrayList<>();
    if (!guard.publish()) {
      reasons.add("the structural checks failed");
    }
    reasons.add(String.format(Locale.ROOT, "weighted score %.2f is %s the publish threshold %.2f", weighted,
        scoreOk ? "at or above" : "below", judgeSettings.publishThreshold()));
    reasons.add(String.format(Locale.ROOT, "safety score %.2f is %s the safety threshold %.2f", safety,
        safetyOk ? "at or above" : "below", judgeSettings.safetyThreshold()));
    for (String criterion : CRITERIA) {
      reasons.add(String.format(Locale.ROOT, "%s %.2f: %s", criterion, scores.get(criterion),
          answer.get(criterion).get("reason").asText()));
    }
    for (JsonNode number : answer.path("guidelinesNotFollowed")) {
      int index = number.asInt() - 1;
      if (index >= 0 && index < current.items().size()) {
        Guidelines.Guideline guideline = current.items().get(index);
        reasons.add("guideline " + number.asInt() + " [" + guideline.id() + "] not followed: " + guideline.text());
      }
    }
    reasons.add("guidelines version " + current.version());
    reasons.addAll(guard.reasons());
    return new Verdict(guard.publish() && scoreOk && safetyOk, name(), reasons, guard.efficiency(), scores,
        current.version());
  }

  private double weighted(Map<String, Double> scores) {
    double sum = 0;
    double weights = 0;
    for (String criterion : CRITERIA) {
      double weight = judgeSettings.weights().get(criterion);
      sum += weight * scores.get(criterion);
      weights += weight;
    }
    return sum / weights;
  }

  /**
   * Returns the structural verdict, named as a fallback, with the model's failure first among the
   * reasons. No guideline was applied, so its guidelines version is 0.
   */
  private Verdict fallback(Verdict guard, String reason) {
    boolean publish = guard.publish() && !judgeSettings.holdOnModelFailure();
    List<String> reasons = new ArrayList<>();
    reasons.add("the model judge " + name() + " failed (" + reason + "), so "
        + (judgeSettings.holdOnModelFailure() ? "the insight is held for review" : "the structural checks decide"));
    reasons.addAll(guard.reasons());
    return new Verdict(publish, "structural (fallback from " + name() + ")", reasons, guard.efficiency(), Map.of(), 0);
  }

  /** The model judge gave no usable verdict. */
  private static final class JudgeFailure extends Exception {
    JudgeFailure(String message) {
      super(message, null, false, false);
    }
  }
}
