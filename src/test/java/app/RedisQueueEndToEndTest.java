package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with {@code fleet-sre.execution.queue = redis}: its commands go through the Redis
 * stream and its own executor, over real SSH to the fixture host, and the insight comes out.
 */
class RedisQueueEndToEndTest {

  private static final String COMMANDS = "e2e:commands";

  @TempDir
  Path directory;

  @Test
  void diskAlertIsInvestigatedThroughRedisQueue() throws Exception {
    try (TestEnvironment environment = new TestEnvironment(directory)) {
      String queue = """
          fleet-sre.execution {
            queue = redis
            redis { uri = "redis://127.0.0.1:%d", stream = "%s", group = "e2e" }
          }
          """.formatted(environment.redisPort, COMMANDS);
      String incidentId;
      try (Engine engine = Engine.start(environment.config("data", queue))) {
        int port = engine.bindHttp(0).getPort();
        HttpResponse<String> accepted = environment.post(port, "/api/v1/alerts/alertmanager",
            TestEnvironment.alertmanagerPayload("NodeFilesystemAlmostOutOfSpace", "disk", "redis-queue",
                Instant.now().toString()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        incidentId = TestEnvironment.incidentId(accepted);

        JsonNode insight = environment.awaitInsight(incidentId, Duration.ofSeconds(90));
        assertThat(insight.get("playbook").asText()).isEqualTo("disk-space");
        assertThat(insight.get("status").asText()).isEqualTo("complete");

        JsonNode incident = Json.mapper().readTree(environment.get(port, "/api/v1/incidents/" + incidentId).body());
        assertThat(incident.get("transcript")).isNotEmpty()
            .allSatisfy(entry -> assertThat(entry.get("status").asText()).isEqualTo("exited"));
      }

      RedisClient client = RedisClient.create("redis://127.0.0.1:" + environment.redisPort);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        var redis = connection.sync();
        // Every command went through the stream (its dedup key is set), and none is left in it.
        assertThat(redis.exists(COMMANDS + ":dedup:" + incidentId + ":1.1")).isEqualTo(1);
        assertThat(redis.xlen(COMMANDS)).isZero();
        assertThat(redis.xpending(COMMANDS, "e2e").getCount()).isZero();
        assertThat(redis.zcard(COMMANDS + ":in-flight")).isZero();
      } finally {
        client.shutdown();
      }
    }
  }
}
