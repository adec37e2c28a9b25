package agent;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;

/** Builds the LangChain4j chat model that {@link ModelSettings} describe. */
public final class ChatModels {

  private ChatModels() {}

  public static ChatModel create(ModelSettings settings) {
    RetryingHttpClient.Builder http = new RetryingHttpClient.Builder(settings);
    if (settings.effectiveProvider().equals("anthropic")) {
      AnthropicChatModel.AnthropicChatModelBuilder builder = AnthropicChatModel.builder()
          .httpClientBuilder(http)
          .apiKey(settings.apiKey())
          .modelName(settings.name())
          .maxTokens(settings.maxOutputTokensPerTurn())
          .temperature(settings.temperature())
          .timeout(settings.turnTimeout())
          .maxRetries(0);
      if (!settings.url().isEmpty()) {
        builder.baseUrl(settings.url());
      }
      return builder.build();
    }
    OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
        .httpClientBuilder(http)
        .apiKey(settings.apiKey().isEmpty() ? "none" : settings.apiKey())
        .modelName(settings.name())
        .maxTokens(settings.maxOutputTokensPerTurn())
        .temperature(settings.temperature())
        .timeout(settings.turnTimeout())
        .maxRetries(0);
    if (!settings.url().isEmpty()) {
      builder.baseUrl(settings.url());
    }
    return builder.build();
  }
}
