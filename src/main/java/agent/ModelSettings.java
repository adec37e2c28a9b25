package agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How to reach the model and how to use it, from {@code fleet-sre.model}.
 *
 * @param provider {@code openai} for any OpenAI-compatible chat completions endpoint, {@code anthropic}
 *     for Anthropic's API; empty together with an empty url means no model (the playbook brain)
 * @param url base URL of the endpoint, e.g. {@code http://127.0.0.1:8000/v1} for vLLM; empty takes the provider's default
 * @param name the model name the endpoint expects
 * @param apiKey the API key; never logged
 * @param turnTimeout how long one HTTP call to the endpoint may take
 * @param maxRetries retries of one call after a 429, a 5xx or a connection failure
 * @param retryBaseDelay first backoff delay; it doubles per retry, with full jitter
 * @param retryMaxDelay longest wait between retries, also the cap on a Retry-After the endpoint sends
 * @param breakerMaxFailures failed turns in a row that open the circuit breaker
 * @param breakerResetTimeout how long the breaker stays open before it lets one call through
 * @param maxOutputTokensPerTurn output tokens requested per turn
 * @param temperature sampling temperature
 * @param contextWindowTokens the model's context window, in tokens
 * @param toolResultShare share of the context window one tool result may take
 * @param inputCostPerMillion price of one million input tokens in US dollars, for the cost estimate
 * @param outputCostPerMillion price of one million output tokens in US dollars
 */
public record ModelSettings(
    String provider,
    String url,
    String name,
    String apiKey,
    Duration turnTimeout,
    int maxRetries,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    int breakerMaxFailures,
    Duration breakerResetTimeout,
    int maxOutputTokensPerTurn,
    double temperature,
    int contextWindowTokens,
    double toolResultShare,
    double inputCostPerMillion,
    double outputCostPerMillion) {

  /** Characters per token assumed when a token budget is turned into a character cap; an estimate. */
  public static final int CHARS_PER_TOKEN = 4;

  public static ModelSettings fromConfig(Config c) {
    ModelSettings settings = new ModelSettings(
        c.getString("provider").trim().toLowerCase(java.util.Locale.ROOT),
        c.getString("url").trim(),
        c.getString("name").trim(),
        c.getString("api-key"),
        c.getDuration("turn-timeout"),
        c.getInt("max-retries"),
        c.getDuration("retry-base-delay"),
        c.getDuration("retry-max-delay"),
        c.getInt("circuit-breaker.max-failures"),
        c.getDuration("circuit-breaker.reset-timeout"),
        c.getInt("max-output-tokens-per-turn"),
        c.getDouble("temperature"),
        c.getInt("context-window-tokens"),
        c.getDouble("tool-result-share"),
        c.getDouble("cost.input-per-million"),
        c.getDouble("cost.output-per-million"));
    settings.validate();
    return settings;
  }

  /** Whether a model is configured; without one the playbook brain investigates. */
  public boolean enabled() {
    return !provider.isEmpty() || !url.isEmpty() || !name.isEmpty();
  }

  /** The provider, {@code openai} when only a URL or a model name is given. */
  public String effectiveProvider() {
    return provider.isEmpty() ? "openai" : provider;
  }

  /** Characters of one tool result sent back to the model. */
  public int toolResultMaxChars() {
    return (int) Math.max(1000, contextWindowTokens * toolResultShare * CHARS_PER_TOKEN);
  }

  public double costUsd(long inputTokens, long outputTokens) {
    return inputTokens / 1_000_000.0 * inputCostPerMillion + outputTokens / 1_000_000.0 * outputCostPerMillion;
  }

  private void validate() {
    if (!enabled()) {
      return;
    }
    String chosen = effectiveProvider();
    if (!chosen.equals("openai") && !chosen.equals("anthropic")) {
      throw new IllegalArgumentException("fleet-sre.model.provider (FLEET_SRE_MODEL_PROVIDER): invalid value ["
          + provider + "]; expected openai (any OpenAI-compatible endpoint) or anthropic");
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("fleet-sre.model.name (FLEET_SRE_MODEL) is missing; "
          + "set the model name the endpoint serves, e.g. llama-3.3-70b-instruct");
    }
    if (toolResultShare <= 0 || toolResultShare > 1) {
      throw new IllegalArgumentException("fleet-sre.model.tool-result-share must be above 0 and at most 1, got "
          + toolResultShare);
    }
  }

  /** Keeps the API key out of logs. */
  @Override
  public String toString() {
    return "ModelSettings[provider=" + effectiveProvider() + ", url=" + (url.isEmpty() ? "(provider default)" : url)
        + ", name=" + name + ", apiKey=" + (apiKey.isEmpty() ? "(none)" : "(set)") + "]";
  }
}
