package agent;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;

/** Helpers of the model brain and the model judge: the token counts of a model call and a description of its failure. */
final class ModelCalls {

  private ModelCalls() {}

  /** Returns the input tokens the endpoint reported, 0 when it reported none. */
  static long inputTokens(ChatResponse response) {
    TokenUsage usage = response.tokenUsage();
    return usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
  }

  /** Returns the output tokens the endpoint reported, 0 when it reported none. */
  static long outputTokens(ChatResponse response) {
    TokenUsage usage = response.tokenUsage();
    return usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
  }

  /** Describes in plain words why a model call failed, for the log and the insight or verdict. */
  static String describeFailure(Exception e) {
    if (e instanceof org.apache.pekko.pattern.CircuitBreakerOpenException) {
      return "the circuit breaker is open after repeated model failures";
    }
    if (e instanceof dev.langchain4j.exception.HttpException http) {
      return "the endpoint answered HTTP " + http.statusCode();
    }
    if (e instanceof ModelUnavailableException) {
      return e.getMessage();
    }
    return "the model call failed: " + e.getMessage();
  }
}
