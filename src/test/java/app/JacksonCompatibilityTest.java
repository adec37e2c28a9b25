package app;

import static org.assertj.core.api.Assertions.assertThat;

import actors.Incident;
import agent.Alert;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

/**
 * Pekko's Jackson serializer (through jackson-module-scala, which rejects a databind of another
 * minor version) and LangChain4j share one Jackson in this JVM: both must work together.
 */
class JacksonCompatibilityTest {

  @Test
  void pekkoSerializationAndLangChain4jCallShareOneJackson() throws Exception {
    ActorTestKit testKit = ActorTestKit.create("JacksonCompatibilityTest",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    try (ScriptedModelServer model = new ScriptedModelServer()) {
      Serialization serialization = SerializationExtension.get(testKit.system());
      Incident.Opened opened = new Incident.Opened("i-1",
          new Alert("web-01", "HostDiskFull", "critical", "disk", Map.of("a", "b"), Map.of(),
              Instant.parse("2026-12-04T09:00:00Z"), "f1", "test"), Instant.parse("2026-12-04T09:00:01Z"));
      var serializer = serialization.findSerializerFor(opened);
      byte[] bytes = serialization.serialize(opened).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, opened)).get();

      model.thenReply(request -> ScriptedModelServer.text("pong"));
      ChatResponse reply = OpenAiChatModel.builder().baseUrl(model.baseUrl()).apiKey("test").modelName("scripted-model")
          .maxRetries(0).build().chat(dev.langchain4j.data.message.UserMessage.from("ping"));

      assertThat(serializer.getClass().getName()).contains("JacksonJsonSerializer");
      assertThat(back).isEqualTo(opened);
      assertThat(reply.aiMessage().text()).isEqualTo("pong");
      assertThat(ObjectMapper.class.getPackage().getImplementationVersion()).startsWith("2.22");
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
