package streams;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandResult;
import fleet.CommandRunner;
import fleet.HostEntry;
import fleet.Inventory;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The Redis Streams command queue against an embedded Redis: executors sharing the limits,
 * reclaiming a dead executor's entries, duplicates, trimming and acknowledging only confirmed results.
 */
class RedisCommandQueueTest {

  private static final String GROUP = "executors";
  private static final AtomicInteger STREAMS = new AtomicInteger();

  private static RedisServer redis;
  private static RedisClient client;
  private static RedisCommands<String, String> sync;

  private final List<AutoCloseable> started = new ArrayList<>();
  private final String stream = "commands-" + STREAMS.incrementAndGet();

  @BeforeAll
  static void startRedis() throws Exception {
    int port = freePort();
    redis = redisOn(port);
    client = RedisClient.create("redis://127.0.0.1:" + port);
    sync = client.connect().sync();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    client.shutdown();
    redis.stop();
  }

  @AfterEach
  void stopQueues() throws Exception {
    for (AutoCloseable closeable : started) {
      closeable.close();
    }
  }

  // ---- test doubles ----

  /** Concurrency overall and per host, and runs per command, over every runner that shares it. */
  static final class Tracker {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<String, AtomicInteger> runningPerHost = new ConcurrentHashMap<>();
    final AtomicInteger maxPerHost = new AtomicInteger();
    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    int runs(String commandId) {
      return runs.getOrDefault(commandId, new AtomicInteger()).get();
    }
  }

  /** Completes each command after a fixed delay, or never when latency is null, recording into a tracker. */
  record TrackingRunner(Tracker tracker, Duration latency, AtomicInteger ranHere) implements CommandRunner {
    @Override
    public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
      ranHere.incrementAndGet();
      tracker.runs.computeIfAbsent(request.commandId(), id -> new AtomicInteger()).incrementAndGet();
      tracker.maxRunning.accumulateAndGet(tracker.running.incrementAndGet(), Math::max);
      AtomicInteger perHost = tracker.runningPerHost.computeIfAbsent(request.host(), h -> new AtomicInteger());
      tracker.maxPerHost.accumulateAndGet(perHost.incrementAndGet(), Math::max);
      if (latency == null) {
        return new CompletableFuture<>();
      }
      return CompletableFuture.supplyAsync(() -> {
        tracker.running.decrementAndGet();
        perHost.decrementAndGet();
        return CommandOutput.exited(0, "out of " + request.commandId(), "", false, latency);
      }, CompletableFuture.delayedExecutor(latency.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  /** Records results as an incident would, each command once per incident, and counts every delivery. */
  static final class RecordingIncidents implements ResultRecipient {
    final Map<String, Set<String>> recorded = new ConcurrentHashMap<>();
    final List<CommandResult> deliveries = new CopyOnWriteArrayList<>();
    final Function<CommandResult, CompletionStage<?>> reply;

    RecordingIncidents(Function<CommandResult, CompletionStage<?>> reply) {
      this.reply = reply;
    }

    RecordingIncidents() {
      this(result -> CompletableFuture.completedFuture(null));
    }

    @Override
    public CompletionStage<?> deliver(CommandResult result) {
      deliveries.add(result);
      recorded.computeIfAbsent(result.incidentId(), id -> ConcurrentHashMap.newKeySet()).add(result.commandId());
      return reply.apply(result);
    }

    long deliveriesOf(String commandId) {
      return deliveries.stream().filter(result -> result.commandId().equals(commandId)).count();
    }
  }

  private static final Inventory ANY_HOST = new Inventory(Map.of(),
      Optional.of(new HostEntry("", "local", "", 0, "test", null, null)));

  private static final OutputAnalysis PASS_THROUGH = (request, output) -> new CommandResult(request.commandId(),
      request.incidentId(), request.host(), output.outcome().name().toLowerCase(), output.exitCode(),
      output.duration().toMillis(), output.stdout(), output.truncated(), output.error(), null);

  private RedisQueueSettings settings(Duration claimIdle, Duration leaseTtl, Duration resultTimeout, int maxHeld) {
    return new RedisQueueSettings("unused", stream, GROUP, "test", Duration.ofMinutes(10), Duration.ofMillis(100),
        Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(1), maxHeld, Duration.ofMillis(200),
        claimIdle, Duration.ofMillis(200), leaseTtl, Duration.ofMillis(20), resultTimeout, Duration.ofSeconds(5));
  }

  private RedisQueueSettings settings() {
    return settings(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(5), 8);
  }

  private static ExecutionSettings limits(int maxInFlight, int perHost) {
    return new ExecutionSettings(maxInFlight, perHost, 10_000, 1000, 0.8, 1024);
  }

  private RedisCommandQueue queue(RedisQueueSettings settings) {
    return queue(client, settings, 1000);
  }

  private RedisCommandQueue queue(RedisClient redisClient, RedisQueueSettings settings, int queueSize) {
    RedisCommandQueue queue = new RedisCommandQueue(redisClient, settings, queueSize, 0.8);
    started.add(queue);
    return queue;
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Starts an embedded Redis on 127.0.0.1 that keeps nothing on disk. */
  static RedisServer redisOn(int port) throws Exception {
    RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
    server.start();
    return server;
  }

  private RedisCommandExecutor executor(RedisQueueSettings settings, ExecutionSettings limits, CommandRunner runner,
      ResultRecipient recipient) {
    RedisCommandExecutor executor = RedisCommandExecutor.start(client, settings, limits,
        new CommandRun(ANY_HOST, runner, PASS_THROUGH, 1024), recipient);
    started.add(executor);
    return executor;
  }

  private static CommandRequest request(String incidentId, String commandId, String host) {
    return new CommandRequest(commandId, incidentId, host, List.of("true"), "raw", null, "test", Duration.ofSeconds(5));
  }

  private static void dispatch(RedisCommandQueue queue, CommandRequest request) {
    assertThat(queue.dispatch(request, result -> {
      throw new AssertionError("the queue reported " + result + " itself");
    })).as("dispatch of %s", request.commandId()).isTrue();
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  private long pending() {
    return sync.xpending(stream, GROUP).getCount();
  }

  private List<String> commandIdsOnStream() {
    return sync.xrange(stream, Range.create("-", "+")).stream()
        .map(StreamMessage::getBody)
        .map(body -> body.get("commandId"))
        .toList();
  }

  // ---- tests ----

  @Test
  void twoExecutorsShareHostAndFleetCaps() throws Exception {
    Tracker tracker = new Tracker();
    RecordingIncidents incidents = new RecordingIncidents();
    RedisQueueSettings settings = settings();
    RedisCommandQueue queue = queue(settings);
    AtomicInteger ranByFirst = new AtomicInteger();
    AtomicInteger ranBySecond = new AtomicInteger();
    executor(settings, limits(3, 1), new TrackingRunner(tracker, Duration.ofMillis(40), ranByFirst), incidents);
    executor(settings, limits(3, 1), new TrackingRunner(tracker, Duration.ofMillis(40), ranBySecond), incidents);

    List<String> commandIds = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String commandId = "incident-" + (i % 4) + ":1." + i;
      commandIds.add(commandId);
      dispatch(queue, request("incident-" + (i % 4), commandId, "host-" + (i % 5)));
    }

    await("every result is delivered", () -> incidents.deliveries.size() >= 40);
    await("every entry is acknowledged and deleted", () -> sync.xlen(stream) == 0 && pending() == 0);
    assertThat(incidents.deliveries).hasSize(40);
    for (String commandId : commandIds) {
      assertThat(tracker.runs(commandId)).as("runs of %s", commandId).isEqualTo(1);
      assertThat(incidents.deliveriesOf(commandId)).as("deliveries of %s", commandId).isEqualTo(1);
    }
    assertThat(tracker.maxPerHost.get()).isEqualTo(1);
    assertThat(tracker.maxRunning.get()).isBetween(1, 3);
    assertThat(ranByFirst.get()).isPositive();
    assertThat(ranBySecond.get()).isPositive();
  }

  @Test
  void perHostCapAboveOneHoldsAcrossExecutors() throws Exception {
    Tracker tracker = new Tracker();
    RecordingIncidents incidents = new RecordingIncidents();
    RedisQueueSettings settings = settings();
    RedisCommandQueue queue = queue(settings);
    executor(settings, limits(10, 2), new TrackingRunner(tracker, Duration.ofMillis(40), new AtomicInteger()), incidents);
    executor(settings, limits(10, 2), new TrackingRunner(tracker, Duration.ofMillis(40), new AtomicInteger()), incidents);

    for (int i = 0; i < 24; i++) {
      dispatch(queue, request("incident-1", "incident-1:1." + i, "only-host"));
    }

    await("every result is delivered", () -> incidents.deliveries.size() >= 24);
    assertThat(tracker.maxPerHost.get()).isEqualTo(2);
  }

  @Test
  void deadExecutorsEntriesAreReclaimed() throws Exception {
    Tracker tracker = new Tracker();
    RecordingIncidents incidents = new RecordingIncidents();
    RedisQueueSettings settings = settings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5), 10);
    RedisCommandQueue queue = queue(settings);
    List<CommandRequest> requests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      requests.add(request("incident-" + (i % 3), "incident-" + (i % 3) + ":1." + i, "host-" + (i % 3)));
    }
    requests.forEach(request -> dispatch(queue, request));

    // The first executor's commands never finish; it holds every entry, three of them running.
    AtomicInteger ranByDead = new AtomicInteger();
    RedisCommandExecutor dead = executor(settings, limits(10, 1), new TrackingRunner(tracker, null, ranByDead),
        incidents);
    await("the first executor holds every entry", () -> dead.held() == 6 && ranByDead.get() == 3);
    dead.abort();
    assertThat(pending()).isEqualTo(6);

    AtomicInteger ranBySurvivor = new AtomicInteger();
    executor(settings, limits(10, 1), new TrackingRunner(new Tracker(), Duration.ofMillis(10), ranBySurvivor),
        incidents);

    await("every entry is acknowledged", () -> sync.xlen(stream) == 0 && pending() == 0);
    assertThat(ranBySurvivor.get()).isEqualTo(6);
    assertThat(incidents.deliveries).hasSize(6);
    for (CommandRequest request : requests) {
      assertThat(incidents.recorded.get(request.incidentId())).contains(request.commandId());
      assertThat(incidents.deliveriesOf(request.commandId())).as("deliveries of %s", request.commandId()).isEqualTo(1);
    }
  }

  @Test
  void duplicateCommandIdIsDropped() throws Exception {
    RedisCommandQueue queue = queue(settings());

    dispatch(queue, request("incident-1", "incident-1:1.1", "host-1"));
    dispatch(queue, request("incident-1", "incident-1:1.2", "host-1"));
    dispatch(queue, request("incident-1", "incident-1:1.1", "host-1"));
    dispatch(queue, request("incident-1", "incident-1:1.1", "host-1"));

    await("the backlog estimate drops the duplicates", () -> queue.queued() == 2);
    assertThat(commandIdsOnStream()).containsExactly("incident-1:1.1", "incident-1:1.2");
  }

  @Test
  void unreadEntriesAreNeverTrimmed() throws Exception {
    RedisCommandQueue queue = queue(settings());

    for (int i = 0; i < 300; i++) {
      dispatch(queue, request("incident-1", "incident-1:1." + i, "host-1"));
    }

    await("every entry is added", () -> sync.xlen(stream) == 300);
    assertThat(commandIdsOnStream()).first().isEqualTo("incident-1:1.0");
    await("the backlog estimate counts every entry", () -> queue.queued() == 300);
  }

  @Test
  void trimmingKeepsUnacknowledgedEntries() throws Exception {
    // Results of even-numbered commands are confirmed, and the others never are.
    RecordingIncidents incidents = new RecordingIncidents(result ->
        Integer.parseInt(result.commandId().substring(result.commandId().lastIndexOf('.') + 1)) % 2 == 0
            ? CompletableFuture.completedFuture(null)
            : new CompletableFuture<>());
    RedisQueueSettings settings = settings(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 4);
    RedisCommandQueue queue = queue(settings);
    for (int i = 0; i < 8; i++) {
      dispatch(queue, request("incident-1", "incident-1:1." + i, "host-" + i));
    }

    executor(settings, limits(10, 1), new TrackingRunner(new Tracker(), Duration.ofMillis(5), new AtomicInteger()),
        incidents);

    // max-held 4: the executor ends up holding the four odd commands and cannot read further.
    await("the even commands are acknowledged", () -> sync.xlen(stream) == 4);
    assertThat(commandIdsOnStream())
        .containsExactly("incident-1:1.1", "incident-1:1.3", "incident-1:1.5", "incident-1:1.7");
    assertThat(pending()).isEqualTo(4);
  }

  @Test
  void unconfirmedResultStaysPendingAndRunsAgain() throws Exception {
    // The first delivery is never confirmed, as when the incident did not reply. Later ones are.
    AtomicInteger deliveries = new AtomicInteger();
    RecordingIncidents incidents = new RecordingIncidents(result -> deliveries.incrementAndGet() == 1
        ? new CompletableFuture<>()
        : CompletableFuture.completedFuture(null));
    RedisQueueSettings settings = settings(Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMillis(300), 4);
    RedisCommandQueue queue = queue(settings);
    Tracker tracker = new Tracker();
    executor(settings, limits(10, 1), new TrackingRunner(tracker, Duration.ofMillis(5), new AtomicInteger()),
        incidents);

    dispatch(queue, request("incident-1", "incident-1:1.1", "host-1"));

    await("the result is delivered", () -> deliveries.get() == 1);
    Thread.sleep(settings.resultTimeout().toMillis() + 300);
    assertThat(deliveries.get()).isEqualTo(1);
    assertThat(pending()).isEqualTo(1);
    assertThat(sync.xlen(stream)).isEqualTo(1);

    await("the entry runs again and is acknowledged", () -> sync.xlen(stream) == 0 && pending() == 0);
    assertThat(tracker.runs("incident-1:1.1")).isEqualTo(2);
    assertThat(deliveries.get()).isEqualTo(2);
  }

  @Test
  void fullBacklogRejectsDispatch() throws Exception {
    RedisCommandQueue queue = queue(client, settings(), 5);

    int accepted = 0;
    for (int i = 0; i < 10; i++) {
      if (queue.dispatch(request("incident-1", "incident-1:1." + i, "host-1"), result -> { })) {
        accepted++;
      }
    }

    assertThat(accepted).isEqualTo(5);
    assertThat(queue.saturated()).isTrue();
    await("the five entries are added", () -> sync.xlen(stream) == 5);
    await("the backlog estimate counts five", () -> queue.queued() == 5);
    assertThat(queue.dispatch(request("incident-1", "incident-1:1.99", "host-1"), result -> { })).isFalse();
  }

  @Test
  void failedAddIsRetriedUntilRedisReturns() throws Exception {
    int port = freePort();
    RedisServer server = redisOn(port);
    RedisClient shortTimeouts = RedisClient.create("redis://127.0.0.1:" + port + "?timeout=300ms");
    try {
      RedisCommandQueue queue = queue(shortTimeouts, settings(), 1000);
      server.stop();

      dispatch(queue, request("incident-1", "incident-1:1.1", "host-1"));
      // Long enough for the first attempts to time out.
      Thread.sleep(1000);
      server = redisOn(port);

      RedisClient reader = RedisClient.create("redis://127.0.0.1:" + port);
      try {
        var readerSync = reader.connect().sync();
        await("the command is added", () -> readerSync.xlen(stream) == 1);
        assertThat(readerSync.exists(settings().dedupKey("incident-1:1.1"))).isEqualTo(1);
      } finally {
        reader.shutdown();
      }
    } finally {
      stopQueues();
      started.clear();
      shortTimeouts.shutdown();
      server.stop();
    }
  }

  @Test
  void addGivesUpAndReportsFailedResult() throws Exception {
    int port = freePort();
    RedisServer server = redisOn(port);
    RedisClient shortTimeouts = RedisClient.create("redis://127.0.0.1:" + port + "?timeout=200ms");
    try {
      RedisQueueSettings settings = settings();
      RedisQueueSettings givesUpSoon = new RedisQueueSettings(settings.uri(), stream, GROUP, "test",
          settings.dedupTtl(), settings.backlogRefresh(), Duration.ofMillis(50), Duration.ofMillis(100),
          Duration.ofMillis(800), 8, settings.readBlock(), settings.claimIdle(), settings.claimInterval(),
          settings.leaseTtl(), settings.deferDelay(), settings.resultTimeout(), settings.drainTimeout());
      RedisCommandQueue queue = queue(shortTimeouts, givesUpSoon, 1000);
      server.stop();
      List<CommandResult> reported = new CopyOnWriteArrayList<>();

      assertThat(queue.dispatch(request("incident-1", "incident-1:1.1", "host-1"), reported::add)).isTrue();

      await("the failure is reported", () -> !reported.isEmpty());
      assertThat(reported).singleElement().satisfies(result -> {
        assertThat(result.commandId()).isEqualTo("incident-1:1.1");
        assertThat(result.status()).isEqualTo("failed");
        assertThat(result.detail()).contains("command queue unavailable");
      });
    } finally {
      stopQueues();
      started.clear();
      shortTimeouts.shutdown();
    }
  }
}
