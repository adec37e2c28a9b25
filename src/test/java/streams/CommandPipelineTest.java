package streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandResult;
import fleet.CommandRunner;
import fleet.HostEntry;
import fleet.Inventory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The pipeline's limits, with a runner that records how many commands run at once. */
class CommandPipelineTest {

  private static final ActorTestKit TEST_KIT =
      ActorTestKit.create("CommandPipelineTest", ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  static void shutdown() {
    TEST_KIT.shutdownTestKit();
  }

  /** Completes each command after a fixed delay and tracks concurrency overall and per host. */
  static final class ConcurrencyRunner implements CommandRunner {
    final Duration latency;
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<String, AtomicInteger> runningPerHost = new ConcurrentHashMap<>();
    final AtomicInteger maxPerHost = new AtomicInteger();

    ConcurrencyRunner(Duration latency) {
      this.latency = latency;
    }

    @Override
    public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      AtomicInteger perHost = runningPerHost.computeIfAbsent(host.name(), h -> new AtomicInteger());
      maxPerHost.accumulateAndGet(perHost.incrementAndGet(), Math::max);
      return CompletableFuture.supplyAsync(() -> {
        running.decrementAndGet();
        perHost.decrementAndGet();
        return CommandOutput.exited(0, "out of " + request.commandId(), "", false, latency);
      }, CompletableFuture.delayedExecutor(latency.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  private static final Inventory ANY_HOST = new Inventory(Map.of(),
      Optional.of(new HostEntry("", "local", "", 0, "test", null, null)));

  private static final OutputAnalysis PASS_THROUGH = (request, output) -> new CommandResult(request.commandId(),
      request.incidentId(), request.host(), output.outcome().name().toLowerCase(), output.exitCode(),
      output.duration().toMillis(), output.stdout(), output.truncated(), output.error(), null);

  private static CommandRequest request(String id, String host) {
    return new CommandRequest(id, "incident", host, List.of("true"), "raw", null, "test", Duration.ofSeconds(5));
  }

  private static void awaitCount(List<?> results, int expected) {
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      assertThat(results).hasSize(expected);
      return null;
    });
  }

  @Test
  void oneCommandPerHostAndGlobalCapHold() {
    ConcurrencyRunner runner = new ConcurrencyRunner(Duration.ofMillis(50));
    var pipeline = CommandPipeline.start(TEST_KIT.system(), new ExecutionSettings(4, 1, 10_000, 1000, 0.8, 1024),
        ANY_HOST, runner, PASS_THROUGH);
    List<CommandResult> results = new CopyOnWriteArrayList<>();

    for (int i = 0; i < 40; i++) {
      assertThat(pipeline.dispatch(request("c" + i, "host-" + (i % 8)), results::add)).isTrue();
    }

    awaitCount(results, 40);
    assertThat(runner.maxPerHost.get()).isEqualTo(1);
    assertThat(runner.maxRunning.get()).isBetween(2, 4);
    assertThat(results).allSatisfy(r -> assertThat(r.excerpt()).isEqualTo("out of " + r.commandId()));
    pipeline.close();
  }

  @Test
  void perHostCapAboveOneRunsHostCommandsInParallel() {
    ConcurrencyRunner runner = new ConcurrencyRunner(Duration.ofMillis(100));
    var pipeline = CommandPipeline.start(TEST_KIT.system(), new ExecutionSettings(16, 3, 10_000, 1000, 0.8, 1024),
        ANY_HOST, runner, PASS_THROUGH);
    List<CommandResult> results = new CopyOnWriteArrayList<>();

    for (int i = 0; i < 30; i++) {
      pipeline.dispatch(request("p" + i, "only-host"), results::add);
    }

    awaitCount(results, 30);
    assertThat(runner.maxPerHost.get()).isBetween(2, 3);
    pipeline.close();
  }

  @Test
  void fullQueueRefusesAndReportsSaturation() {
    ConcurrencyRunner runner = new ConcurrencyRunner(Duration.ofSeconds(1));
    var pipeline = CommandPipeline.start(TEST_KIT.system(), new ExecutionSettings(1, 1, 1, 5, 0.6, 1024),
        ANY_HOST, runner, PASS_THROUGH);
    List<CommandResult> results = new CopyOnWriteArrayList<>();

    int accepted = 0;
    for (int i = 0; i < 50; i++) {
      if (pipeline.dispatch(request("q" + i, "h" + i), results::add)) {
        accepted++;
      }
    }

    assertThat(accepted).isLessThan(50);
    assertThat(pipeline.saturated()).isTrue();
    pipeline.close();
  }

  @Test
  void unknownHostFailsWithoutRunning() {
    ConcurrencyRunner runner = new ConcurrencyRunner(Duration.ofMillis(1));
    var pipeline = CommandPipeline.start(TEST_KIT.system(), new ExecutionSettings(4, 1, 100, 10, 0.8, 1024),
        new Inventory(Map.of(), Optional.empty()), runner, PASS_THROUGH);
    List<CommandResult> results = new CopyOnWriteArrayList<>();

    pipeline.dispatch(request("u1", "nowhere"), results::add);

    awaitCount(results, 1);
    assertThat(results.get(0).status()).isEqualTo("not_in_inventory");
    assertThat(results.get(0).detail()).contains("nowhere");
    assertThat(runner.maxRunning.get()).isZero();
    pipeline.close();
  }

  @Test
  void manyCommandsForOneHostRunInTurn() {
    ConcurrencyRunner runner = new ConcurrencyRunner(Duration.ofMillis(1));
    var pipeline = CommandPipeline.start(TEST_KIT.system(), new ExecutionSettings(64, 1, 10_000, 1000, 0.8, 1024),
        ANY_HOST, runner, PASS_THROUGH);
    List<CommandResult> results = new CopyOnWriteArrayList<>();

    for (int i = 0; i < 200; i++) {
      assertThat(pipeline.dispatch(request("s" + i, i % 2 == 0 ? "busy-host" : "other-" + i), results::add)).isTrue();
    }

    awaitCount(results, 200);
    assertThat(runner.maxPerHost.get()).isEqualTo(1);
    pipeline.close();
  }

  @Test
  void rateLimitSpacesCommandStarts() {
    ConcurrencyRunner runner = new ConcurrencyRunner(Duration.ofMillis(1));
    var pipeline = CommandPipeline.start(TEST_KIT.system(), new ExecutionSettings(8, 1, 5, 100, 0.8, 1024),
        ANY_HOST, runner, PASS_THROUGH);
    List<CommandResult> results = new CopyOnWriteArrayList<>();
    long started = System.nanoTime();

    for (int i = 0; i < 11; i++) {
      pipeline.dispatch(request("r" + i, "h" + i), results::add);
    }
    awaitCount(results, 11);

    // 5 per second with a burst of 5: the eleventh start cannot come before about one second.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(900));
    pipeline.close();
  }
}
