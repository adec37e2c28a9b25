package streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/** The shared leases against an embedded Redis: each limit, release and the lapse of an unrenewed lease. */
class FleetLeasesTest {

  private static RedisServer redis;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  private static int testCount;

  @BeforeAll
  static void startRedis() throws Exception {
    int port = RedisCommandQueueTest.freePort();
    redis = RedisCommandQueueTest.redisOn(port);
    client = RedisClient.create("redis://127.0.0.1:" + port);
    connection = client.connect();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    connection.close();
    client.shutdown();
    redis.stop();
  }

  private static FleetLeases leases(Duration leaseTtl, int maxInFlight, int perHost, int rate) {
    testCount++;
    RedisQueueSettings settings = new RedisQueueSettings("unused", "leases-" + testCount, "group", "test",
        Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(1),
        Duration.ofMinutes(1), 8, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(1), leaseTtl,
        Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofSeconds(5));
    return new FleetLeases(connection, settings, new ExecutionSettings(maxInFlight, perHost, rate, 100, 0.8, 1024));
  }

  private static FleetLeases.Grant acquire(FleetLeases leases, String member, String host) throws Exception {
    return leases.acquire(member, host).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void hostCapGrantsUntilReleased() throws Exception {
    FleetLeases leases = leases(Duration.ofSeconds(30), 10, 1, 100);

    assertThat(acquire(leases, "a", "web-01")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "b", "web-01")).isEqualTo(FleetLeases.Grant.HOST_BUSY);
    assertThat(acquire(leases, "c", "web-02")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "a", "web-01")).as("a lease already held").isEqualTo(FleetLeases.Grant.GRANTED);

    assertThat(leases.release("a", "web-01").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(acquire(leases, "b", "web-01")).isEqualTo(FleetLeases.Grant.GRANTED);
  }

  @Test
  void fleetCapSpansHosts() throws Exception {
    FleetLeases leases = leases(Duration.ofSeconds(30), 2, 1, 100);

    assertThat(acquire(leases, "a", "web-01")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "b", "web-02")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "c", "web-03")).isEqualTo(FleetLeases.Grant.FLEET_BUSY);
  }

  @Test
  void rateLimitsStartsPerSecond() throws Exception {
    FleetLeases leases = leases(Duration.ofSeconds(30), 10, 1, 2);

    assertThat(acquire(leases, "a", "web-01")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "b", "web-02")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "c", "web-03")).isEqualTo(FleetLeases.Grant.RATE_LIMITED);
  }

  @Test
  void unrenewedLeaseLapses() throws Exception {
    FleetLeases leases = leases(Duration.ofMillis(300), 10, 1, 100);

    assertThat(acquire(leases, "a", "web-01")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(acquire(leases, "b", "web-01")).isEqualTo(FleetLeases.Grant.HOST_BUSY);
    Thread.sleep(500);

    assertThat(leases.renew("a", "web-01").toCompletableFuture().get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(acquire(leases, "b", "web-01")).isEqualTo(FleetLeases.Grant.GRANTED);
    assertThat(leases.renew("b", "web-01").toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
  }
}
