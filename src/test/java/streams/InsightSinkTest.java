package streams;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Alert;
import agent.Insight;
import agent.Json;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/** Both insight sinks against the real thing: a file on disk and an embedded Redis server. */
class InsightSinkTest {

  @TempDir
  Path directory;

  private static Insight insight(String incidentId) {
    Alert alert = new Alert("web-01", "HostDiskFull", "critical", "disk", Map.of(), Map.of(),
        Instant.parse("2026-12-04T09:00:00Z"), "f1", "test");
    return new Insight(Insight.SCHEMA_VERSION, incidentId, "web-01", alert, "disk-space", "complete", "summary",
        "cause", List.of("step"), List.of(new Insight.Fix("fix", "apt-get clean", "low")), List.of(),
        List.of(new Insight.Evidence("claim", incidentId + ":1.1", "excerpt")),
        new Insight.Timings(Instant.parse("2026-12-04T09:00:00Z"), Instant.parse("2026-12-04T09:00:05Z"), 5000, 2, 4),
        "playbook");
  }

  @Test
  void jsonLinesSinkAppendsOneLinePerInsight() throws Exception {
    Path file = directory.resolve("sub/insights.jsonl");
    JsonLinesInsightSink sink = new JsonLinesInsightSink(file, ForkJoinPool.commonPool());

    sink.publish(insight("a")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    sink.publish(insight("b")).toCompletableFuture().get(10, TimeUnit.SECONDS);

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(Json.mapper().readValue(lines.get(0), Insight.class)).isEqualTo(insight("a"));
    assertThat(Json.mapper().readTree(lines.get(1)).get("timings").get("openedAt").asText())
        .isEqualTo("2026-12-04T09:00:00Z");
  }

  @Test
  void redisSinkAddsEntriesAndTrimsTheStream() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
    redis.start();
    RedisClient reader = RedisClient.create("redis://127.0.0.1:" + port);
    try (StatefulRedisConnection<String, String> connection = reader.connect();
        RedisStreamInsightSink sink = new RedisStreamInsightSink(RedisClient.create("redis://127.0.0.1:" + port),
            "insights-test", 100)) {
      CompletableFuture<?>[] writes = new CompletableFuture<?>[1000];
      for (int i = 0; i < writes.length; i++) {
        writes[i] = sink.publish(insight("incident-" + i)).toCompletableFuture();
      }
      CompletableFuture.allOf(writes).get(30, TimeUnit.SECONDS);

      long length = connection.sync().xlen("insights-test");
      // MAXLEN ~ trims whole stream nodes (100 entries by default), so up to one node more may stay.
      assertThat(length).isBetween(100L, 200L);
      var last = connection.sync().xrevrange("insights-test", io.lettuce.core.Range.create("-", "+"),
          io.lettuce.core.Limit.from(1)).get(0).getBody();
      assertThat(last).containsEntry("incidentId", "incident-999").containsEntry("status", "complete")
          .containsEntry("schemaVersion", "1").containsEntry("host", "web-01");
      assertThat(Json.mapper().readValue(last.get("insight"), Insight.class)).isEqualTo(insight("incident-999"));
    } finally {
      reader.shutdown();
      redis.stop();
    }
  }
}
