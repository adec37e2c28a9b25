package app;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import fleet.TestKeys;
import fleet.TestSshServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import redis.embedded.RedisServer;

/**
 * What an end-to-end test runs against: an embedded Redis, an in-process SSH server that runs
 * real commands on a {@link HostFixture} tree as host {@code web-01}, and the configuration that
 * points the engine at both. Everything listens on 127.0.0.1 on free ports.
 */
final class TestEnvironment implements AutoCloseable {

  static final String HOST = "web-01";
  static final String STREAM = "fleet-sre:insights";

  final Path directory;
  final HostFixture fixture;
  final RedisServer redis;
  final int redisPort;
  final TestSshServer ssh;
  final Path identityFile;
  final Path knownHosts;
  private final RedisClient redisClient;
  private final StatefulRedisConnection<String, String> redisConnection;
  private final HttpClient http = HttpClient.newHttpClient();

  TestEnvironment(Path directory) throws Exception {
    this.directory = directory;
    this.fixture = HostFixture.create(Files.createDirectories(directory.resolve("host")));
    this.redisPort = freePort();
    this.redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
    redis.start();
    TestKeys.ClientKey key = TestKeys.writeClientKey(directory, "id_fleet_sre");
    this.identityFile = key.privateKeyFile();
    this.ssh = TestSshServer.start(List.of(key.keyPair().getPublic()), fixture.root);
    this.knownHosts = ssh.writeKnownHosts(directory.resolve("known_hosts"));
    this.redisClient = RedisClient.create("redis://127.0.0.1:" + redisPort);
    this.redisConnection = redisClient.connect();
  }

  /** Builds the engine configuration for this environment, with {@code extra} HOCON on top. */
  String configText(String dataDirName, String extra) {
    return """
        fleet-sre {
          data-dir = "%1$s"
          http.port = 0
          insights { sink = redis, redis.uri = "redis://127.0.0.1:%2$d", redis.stream = "%3$s" }
          inventory.hosts {
            "%4$s" {
              runner = ssh
              address = "127.0.0.1"
              port = %5$d
              user = "fleet-sre"
              identity-file = "%6$s"
              known-hosts-file = "%7$s"
            }
          }
        }
        """.formatted(directory.resolve(dataDirName), redisPort, STREAM, HOST, ssh.port(), identityFile, knownHosts)
        + fixture.profileConfig() + extra;
  }

  Config config(String dataDirName, String extra) {
    Config overrides = ConfigFactory.parseString(configText(dataDirName, extra));
    return ConfigFactory.load(overrides.withFallback(ConfigFactory.defaultApplication()));
  }

  /** Writes the configuration to a file, for engines started as separate processes. */
  Path writeConfig(String dataDirName, String extra) throws IOException {
    Path file = directory.resolve(dataDirName + ".conf");
    Files.writeString(file, configText(dataDirName, extra));
    return file;
  }

  // ---- HTTP ----

  HttpResponse<String> post(int port, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .GET()
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Builds an Alertmanager webhook payload (version 4) with one firing alert about {@link #HOST}. */
  static String alertmanagerPayload(String alertname, String summary, String fingerprint, String startsAt) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"%1$s\\"}","truncatedAlerts":0,"status":"firing",
         "receiver":"fleet-sre","groupLabels":{"alertname":"%1$s"},"commonLabels":{"alertname":"%1$s"},
         "commonAnnotations":{},"externalURL":"http://alertmanager.invalid",
         "alerts":[{"status":"firing","labels":{"alertname":"%1$s","instance":"%2$s:9100","severity":"critical"},
           "annotations":{"summary":"%3$s"},"startsAt":"%4$s","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://prometheus.invalid/graph","fingerprint":"%5$s"}]}
        """.formatted(alertname, HOST, summary, startsAt, fingerprint);
  }

  /** Returns the incident id of the first accepted alert in a 202 response. */
  static String incidentId(HttpResponse<String> accepted) throws IOException {
    return Json.mapper().readTree(accepted.body()).get("accepted").get(0).get("incidentId").asText();
  }

  // ---- Redis ----

  /** Returns the insight of {@code incidentId} on the stream, if it is there yet. */
  Optional<JsonNode> insightOnStream(String incidentId) throws IOException {
    List<StreamMessage<String, String>> entries =
        redisConnection.sync().xrange(STREAM, io.lettuce.core.Range.create("-", "+"));
    for (StreamMessage<String, String> entry : entries) {
      if (incidentId.equals(entry.getBody().get("incidentId"))) {
        return Optional.of(Json.mapper().readTree(entry.getBody().get("insight")));
      }
    }
    return Optional.empty();
  }

  /** Counts the stream entries of {@code incidentId}: 0 before delivery, 1 after it. */
  long insightsOnStream(String incidentId) {
    return redisConnection.sync().xrange(STREAM, io.lettuce.core.Range.create("-", "+")).stream()
        .filter(entry -> incidentId.equals(entry.getBody().get("incidentId")))
        .count();
  }

  /** Polls the stream until the insight of {@code incidentId} is there. */
  JsonNode awaitInsight(String incidentId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> insight = insightOnStream(incidentId);
      if (insight.isPresent()) {
        return insight.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no insight for incident [" + incidentId + "] on stream " + STREAM + " within " + timeout);
  }

  long streamLength() {
    return redisConnection.sync().xlen(STREAM);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    redisConnection.close();
    redisClient.shutdown();
    ssh.close();
    redis.stop();
  }
}
