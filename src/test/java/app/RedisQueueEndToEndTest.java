package app;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engines with {@code fleet-sre.execution.queue = redis}: commands go through the Redis stream to
 * an executor, over real SSH to the fixture host, and the insight comes out. One test runs a single
 * engine, the other a cluster of two where only the second node executes commands.
 */
class RedisQueueEndToEndTest {

  private static final Duration INSIGHT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  static Path directory;

  private static TestEnvironment environment;
  private static RedisClient client;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void start() throws Exception {
    environment = new TestEnvironment(directory);
    client = RedisClient.create("redis://127.0.0.1:" + environment.redisPort);
    redis = client.connect().sync();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.shutdown();
    }
    if (environment != null) {
      environment.close();
    }
  }

  private static String queueConfig(String stream, String roles) {
    return """
        fleet-sre.roles = %s
        fleet-sre.execution {
          queue = redis
          redis { uri = "redis://127.0.0.1:%d", stream = "%s", group = "e2e" }
        }
        """.formatted(roles, environment.redisPort, stream);
  }

  private static String clusterConfig(int port, int seedPort) {
    return """
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        fleet-sre.cluster.discovery = seed-nodes
        fleet-sre.cluster.seed-nodes = ["pekko://fleet-sre@127.0.0.1:%d"]
        """.formatted(port, seedPort);
  }

  /** Posts a disk alert to the engine and returns its incident id. */
  private static String postDiskAlert(int port, String fingerprint) throws Exception {
    HttpResponse<String> accepted = environment.post(port, "/api/v1/alerts/alertmanager",
        TestEnvironment.alertmanagerPayload("NodeFilesystemAlmostOutOfSpace", "disk", fingerprint,
            Instant.now().toString()));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    return TestEnvironment.incidentId(accepted);
  }

  private static void assertInvestigated(int port, String incidentId) throws Exception {
    JsonNode insight = environment.awaitInsight(incidentId, INSIGHT_TIMEOUT);
    assertThat(insight.get("playbook").asText()).isEqualTo("disk-space");
    assertThat(insight.get("status").asText()).isEqualTo("complete");

    JsonNode incident = Json.mapper().readTree(environment.get(port, "/api/v1/incidents/" + incidentId).body());
    assertThat(incident.get("transcript")).isNotEmpty()
        .allSatisfy(entry -> assertThat(entry.get("status").asText()).isEqualTo("exited"));
  }

  /** Checks that the incident's first command went through the stream and that nothing is left in it. */
  private static void assertStreamDrained(String stream, String incidentId) {
    assertThat(redis.exists(stream + ":dedup:" + incidentId + ":1.1")).isEqualTo(1);
    assertThat(redis.xlen(stream)).isZero();
    assertThat(redis.xpending(stream, "e2e").getCount()).isZero();
    assertThat(redis.zcard(stream + ":in-flight")).isZero();
  }

  @Test
  void singleEngineInvestigatesThroughRedis() throws Exception {
    String stream = "single:commands";
    String incidentId;
    try (Engine engine = Engine.start(environment.config("single", queueConfig(stream, "[\"executor\"]")))) {
      int port = engine.bindHttp(0).getPort();
      incidentId = postDiskAlert(port, "redis-queue-single");
      assertInvestigated(port, incidentId);
    }
    assertStreamDrained(stream, incidentId);
  }

  @Test
  void dispatchOnlyNodeGetsResultsFromExecutorNode() throws Exception {
    String stream = "cluster:commands";
    int dispatcherPort = TestEnvironment.freePort();
    int executorPort = TestEnvironment.freePort();
    String incidentId;
    try (Engine dispatcher = Engine.start(environment.config("dispatcher",
            queueConfig(stream, "[]") + clusterConfig(dispatcherPort, dispatcherPort)));
        Engine executor = Engine.start(environment.config("executor",
            queueConfig(stream, "[\"executor\"]") + clusterConfig(executorPort, dispatcherPort)))) {
      assertThat(Cluster.get(executor.system()).state().getMembers()).hasSize(2);
      int port = dispatcher.bindHttp(0).getPort();
      incidentId = postDiskAlert(port, "redis-queue-cluster");
      assertInvestigated(port, incidentId);
    }
    assertStreamDrained(stream, incidentId);
  }

  @Test
  void shutdownDrainsExecutorBeforeSharding() throws Exception {
    String stream = "drain:commands";
    try (Engine engine = Engine.start(environment.config("drain", queueConfig(stream, "[\"executor\"]")))) {
      int port = engine.bindHttp(0).getPort();
      // The nginx configuration test waits at the gate, so the executor holds a running command.
      environment.fixture.closeGate();
      try {
        HttpResponse<String> accepted = environment.post(port, "/api/v1/alerts/alertmanager",
            TestEnvironment.alertmanagerPayload("NginxDown", "site down", "redis-queue-drain", Instant.now().toString()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (redis.xpending(stream, "e2e").getCount() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(redis.xpending(stream, "e2e").getCount()).as("commands held by the executor").isPositive();
        new Thread(() -> {
          try {
            // Later than the shard regions take to stop, but within the executor's drain-timeout.
            Thread.sleep(4_000);
            environment.fixture.openGate();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).start();

        // What SIGTERM does through Pekko's JVM shutdown hook.
        CoordinatedShutdown.get(engine.system()).runAll(CoordinatedShutdown.jvmExitReason())
            .toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);

        // The running command finished within the drain, so its result was confirmed through sharding
        // and its leases were released. Commands not yet started stay pending for another executor.
        assertThat(redis.zcard(stream + ":in-flight")).as("leases of running commands after the drain").isZero();
      } finally {
        environment.fixture.openGate();
      }
    }
  }
}
