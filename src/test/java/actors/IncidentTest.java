package actors;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Alert;
import agent.Brain;
import agent.Brain.PlannedCommand;
import agent.Insight;
import agent.InsightDraft;
import agent.Judge;
import agent.StructuralJudge;
import agent.TranscriptEntry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import fleet.CommandPolicy;
import fleet.CommandRequest;
import fleet.CommandResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import streams.CommandDispatcher;
import streams.InsightSink;

/**
 * The incident state machine with a scripted brain and a dispatcher the test completes by hand,
 * on the persistence testkit journal, so that stopping and re-spawning an incident is a recovery.
 */
class IncidentTest {

  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());

  private static final ActorTestKit TEST_KIT = ActorTestKit.create("IncidentTest", CONFIG);

  private static final AtomicInteger IDS = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    TEST_KIT.shutdownTestKit();
  }

  // ---- test doubles ----

  /** Step 1 runs the given argv; once every command has an outcome it concludes citing the first one. */
  record ScriptedBrain(List<List<String>> commands) implements Brain {
    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Decision decide(View view) {
      if (view.stepsTaken() == 0 && !view.mustConclude()) {
        List<PlannedCommand> planned = commands.stream()
            .map(argv -> new PlannedCommand("raw", JsonNodeFactory.instance.objectNode(), argv, "scripted"))
            .toList();
        return new RunCommands("scripted step", planned);
      }
      List<Insight.Evidence> evidence = view.transcript().stream()
          .filter(TranscriptEntry::ranToExit)
          .map(e -> new Insight.Evidence("ran " + e.argv().get(0), e.commandId(), e.output()))
          .toList();
      String status = view.mustConclude() ? "partial" : "complete";
      return new Conclude(new InsightDraft("scripted", status, "summary: " + view.concludeReason(), "cause",
          List.of("step"), List.of(new Insight.Fix("fix", "true", "low")), List.of(), evidence));
    }
  }

  /** Plans the given steps in order, then concludes citing every command that ran. */
  record StepsBrain(List<List<PlannedCommand>> steps) implements Brain {
    @Override
    public String name() {
      return "steps";
    }

    @Override
    public Decision decide(View view) {
      if (view.stepsTaken() < steps.size() && !view.mustConclude()) {
        return new RunCommands("step " + (view.stepsTaken() + 1), steps.get(view.stepsTaken()));
      }
      return new ScriptedBrain(List.of()).decide(view);
    }
  }

  static final class ManualDispatcher implements CommandDispatcher {
    final ConcurrentLinkedQueue<CommandRequest> requests = new ConcurrentLinkedQueue<>();
    final Map<String, Consumer<CommandResult>> callbacks = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public boolean dispatch(CommandRequest request, Consumer<CommandResult> onResult) {
      requests.add(request);
      callbacks.put(request.commandId(), onResult);
      return true;
    }

    @Override
    public boolean saturated() {
      return false;
    }

    @Override
    public int queued() {
      return 0;
    }

    void complete(CommandRequest request, String output) {
      callbacks.get(request.commandId()).accept(new CommandResult(request.commandId(), request.incidentId(),
          request.host(), "exited", 0, 12, output, false, "", JsonNodeFactory.instance.objectNode()));
    }
  }

  static final class RecordingSink implements InsightSink {
    final List<Insight> published = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();

    @Override
    public CompletionStage<Void> publish(Insight insight) {
      if (failuresLeft.getAndDecrement() > 0) {
        return CompletableFuture.failedFuture(new IllegalStateException("sink down"));
      }
      published.add(insight);
      return CompletableFuture.completedFuture(null);
    }
  }

  private final ManualDispatcher dispatcher = new ManualDispatcher();
  private final RecordingSink sink = new RecordingSink();
  private final AtomicReference<ActorRef<Incident.Command>> current = new AtomicReference<>();
  private final List<String> finished = new CopyOnWriteArrayList<>();

  /** Records every review submission; the first {@code failuresLeft} submissions fail as if the queue were down. */
  static final class RecordingDesk {
    final List<Review> submitted = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();

    ReviewDesk desk(ReviewSampler sampler) {
      return new ReviewDesk(sampler, review -> {
        if (failuresLeft.getAndDecrement() > 0) {
          return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("queue did not answer"));
        }
        submitted.add(review);
        return CompletableFuture.completedFuture(null);
      }, Duration.ofMillis(100));
    }
  }

  /** Concludes at once with a complete insight that cites no evidence, which the structural judge holds. */
  record HoldingBrain() implements Brain {
    @Override
    public String name() {
      return "holding";
    }

    @Override
    public Decision decide(View view) {
      return new Conclude(new InsightDraft("disk-space", "complete", "disk full", "old backups", List.of("step"),
          List.of(new Insight.Fix("fix", "true", "low")), List.of(), List.of()));
    }
  }

  private static ReviewSampler sampler(double defaultRate) {
    return new ReviewSampler(defaultRate, Map.of(), Map.of(), 0.0, 0.0);
  }

  private IncidentServices services(Brain brain, Duration maxDuration, ManualDispatcher commands, ReviewDesk desk) {
    IncidentServices plain = services(brain, maxDuration, commands);
    return new IncidentServices(plain.brain(), plain.judge(), plain.policy(), plain.dispatcher(), plain.sink(),
        plain.settings(), plain.clock(), plain.blockingExecutor(), plain.resultRoute(), plain.onFinished(), desk);
  }

  private IncidentServices services(Brain brain, Duration maxDuration, ManualDispatcher commands) {
    return services(brain, maxDuration, commands, new StructuralJudge(), Duration.ofSeconds(5));
  }

  private IncidentServices services(Brain brain, Duration maxDuration, ManualDispatcher commands, Judge judge,
      Duration judgeTimeout) {
    IncidentSettings settings = new IncidentSettings(4, 10, 6, 100_000, 10_000, maxDuration, Duration.ofSeconds(5),
        Duration.ofSeconds(5), 200, 3, Duration.ofMillis(100), Duration.ofMillis(100), judgeTimeout);
    CommandPolicy policy = CommandPolicy.fromConfig(ConfigFactory.load().getConfig("fleet-sre.command-policy"));
    return new IncidentServices(brain, judge, policy, commands, sink, settings, Clock.systemUTC(),
        ForkJoinPool.commonPool(),
        result -> current.get().tell(new Incident.CommandFinished(result)),
        (dedupKey, incidentId) -> finished.add(incidentId));
  }

  private ActorRef<Incident.Command> spawn(String incidentId, IncidentServices services) {
    ActorRef<Incident.Command> ref = TEST_KIT.spawn(Incident.create(incidentId, services));
    current.set(ref);
    return ref;
  }

  private static String newId() {
    return "incident-test-" + IDS.incrementAndGet();
  }

  private static Alert alert(String fingerprint, Instant startsAt) {
    return new Alert("web-01", "HostDiskFull", "critical", "disk full", Map.of("mountpoint", "/"), Map.of(),
        startsAt, fingerprint, "test");
  }

  private static IngestReply send(ActorRef<Incident.Command> incident, Alert alert) {
    TestProbe<IngestReply> probe = TEST_KIT.createTestProbe();
    incident.tell(new Incident.ReceiveAlert(alert, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private static IncidentState details(ActorRef<Incident.Command> incident) {
    TestProbe<IncidentState> probe = TEST_KIT.createTestProbe();
    incident.tell(new Incident.GetDetails(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private static IncidentState awaitPhase(ActorRef<Incident.Command> incident, IncidentState.Phase phase) {
    AtomicReference<IncidentState> last = new AtomicReference<>();
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      last.set(details(incident));
      assertThat(last.get().phase()).isEqualTo(phase);
      return null;
    });
    return last.get();
  }

  private CommandRequest awaitRequest(ManualDispatcher commands, int count) {
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(commands.requests).hasSizeGreaterThanOrEqualTo(count);
      return null;
    });
    return new ArrayList<>(commands.requests).get(count - 1);
  }

  // ---- tests ----

  @Test
  void alertOpensInvestigationThatPublishes() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));

    assertThat(send(incident, alert("f1", Instant.now()))).isEqualTo(new IngestReply.Accepted(id, "opened"));
    CommandRequest request = awaitRequest(dispatcher, 1);
    assertThat(request.argv()).containsExactly("df", "-P", "-k");
    assertThat(request.host()).isEqualTo("web-01");
    dispatcher.complete(request, "Filesystem 1024-blocks Used");

    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(details(incident).delivered()).isTrue();
      return null;
    });
    IncidentState state = details(incident);
    assertThat(state.phase()).isEqualTo(IncidentState.Phase.PUBLISHED);
    assertThat(state.transcript()).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo("exited");
      assertThat(e.output()).isEqualTo("Filesystem 1024-blocks Used");
    });
    assertThat(sink.published).singleElement().satisfies(insight -> {
      assertThat(insight.incidentId()).isEqualTo(id);
      assertThat(insight.status()).isEqualTo("complete");
      assertThat(insight.evidence()).extracting(Insight.Evidence::commandId).containsExactly(request.commandId());
      assertThat(insight.timings().commands()).isEqualTo(1);
    });
    assertThat(finished).contains(id);
  }

  private static CommandResult exited(CommandRequest request, String output) {
    return new CommandResult(request.commandId(), request.incidentId(), request.host(), "exited", 0, 12, output, false,
        "", JsonNodeFactory.instance.objectNode());
  }

  @Test
  void resultIsConfirmedOnceRecorded() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));
    send(incident, alert("f1", Instant.now()));
    CommandRequest request = awaitRequest(dispatcher, 1);
    TestProbe<Incident.ResultRecorded> probe = TEST_KIT.createTestProbe();

    incident.tell(new Incident.CommandFinished(exited(request, "first"), probe.getRef()));
    assertThat(probe.receiveMessage(Duration.ofSeconds(5))).isEqualTo(new Incident.ResultRecorded(request.commandId()));
    assertThat(details(incident).transcript()).singleElement().extracting(TranscriptEntry::output).isEqualTo("first");

    // A second delivery, as after an executor's rerun, is confirmed at once and changes nothing.
    incident.tell(new Incident.CommandFinished(exited(request, "second"), probe.getRef()));
    assertThat(probe.receiveMessage(Duration.ofSeconds(5))).isEqualTo(new Incident.ResultRecorded(request.commandId()));
    assertThat(details(incident).transcript()).singleElement().extracting(TranscriptEntry::output).isEqualTo("first");
  }

  @Test
  void resultIsNotConfirmedWhenPersistFails() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));
    send(incident, alert("f1", Instant.now()));
    CommandRequest request = awaitRequest(dispatcher, 1);
    TestProbe<Incident.ResultRecorded> probe = TEST_KIT.createTestProbe();

    PersistenceTestKit.create(TEST_KIT.system())
        .failNextPersisted(PersistenceId.of(Incident.ENTITY_KEY.name(), id).id());
    incident.tell(new Incident.CommandFinished(exited(request, "lost"), probe.getRef()));

    probe.expectNoMessage(Duration.ofSeconds(1));
  }

  @Test
  void journalFailureRestartsIncidentWithBackoff() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));
    send(incident, alert("f1", Instant.now()));
    CommandRequest first = awaitRequest(dispatcher, 1);

    PersistenceTestKit.create(TEST_KIT.system())
        .failNextPersisted(PersistenceId.of(Incident.ENTITY_KEY.name(), id).id());
    dispatcher.complete(first, "Filesystem 93%");

    // Restarted after the backoff, the incident recovers, dispatches the pending command again and finishes.
    CommandRequest again = awaitRequest(dispatcher, 2);
    assertThat(again.commandId()).isEqualTo(first.commandId());
    dispatcher.complete(again, "Filesystem 93%");
    IncidentState state = awaitPhase(incident, IncidentState.Phase.PUBLISHED);
    assertThat(state.transcript()).singleElement().extracting(TranscriptEntry::status).isEqualTo("exited");
  }

  @Test
  void repeatDeliveryIsHeartbeatAndConcludedIncidentRejectsNewAlerts() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));
    Instant startsAt = Instant.parse("2026-12-04T09:00:00Z");

    send(incident, alert("f1", startsAt));
    assertThat(send(incident, alert("f1", startsAt))).isEqualTo(new IngestReply.Accepted(id, "heartbeat"));
    assertThat(send(incident, alert("f2", startsAt))).isEqualTo(new IngestReply.Accepted(id, "attached"));

    dispatcher.complete(awaitRequest(dispatcher, 1), "ok");
    awaitPhase(incident, IncidentState.Phase.PUBLISHED);

    assertThat(send(incident, alert("f1", startsAt))).isEqualTo(new IngestReply.Accepted(id, "heartbeat"));
    assertThat(send(incident, alert("f3", startsAt))).isEqualTo(new IngestReply.AlreadyConcluded(id));
    IncidentState state = details(incident);
    assertThat(state.alertsReceived()).isEqualTo(4);
    assertThat(state.attachedAlerts()).hasSize(1);
  }

  @Test
  void policyRejectsHostileCommandAndInvestigationGoesOn() {
    String id = newId();
    var brain = new ScriptedBrain(List.of(List.of("rm", "-rf", "/var/www"), List.of("df", "-P", "-k")));
    var incident = spawn(id, services(brain, Duration.ofMinutes(5), dispatcher));

    send(incident, alert("f1", Instant.now()));
    CommandRequest allowed = awaitRequest(dispatcher, 1);
    assertThat(allowed.argv()).containsExactly("df", "-P", "-k");
    dispatcher.complete(allowed, "ok");

    IncidentState state = awaitPhase(incident, IncidentState.Phase.PUBLISHED);
    assertThat(dispatcher.requests).hasSize(1);
    assertThat(state.transcript()).first().satisfies(e -> {
      assertThat(e.status()).isEqualTo(TranscriptEntry.REJECTED);
      assertThat(e.detail()).contains("rm");
    });
  }

  @Test
  void repeatedCommandIsAnsweredFromTranscript() {
    String id = newId();
    PlannedCommand df = new PlannedCommand("raw", JsonNodeFactory.instance.objectNode(), List.of("df", "-P", "-k"), "df");
    var brain = new StepsBrain(List.of(List.of(df), List.of(df, PlannedCommand.rejected("bogus_tool", "?", "unknown tool"))));
    var incident = spawn(id, services(brain, Duration.ofMinutes(5), dispatcher));

    send(incident, alert("f1", Instant.now()));
    dispatcher.complete(awaitRequest(dispatcher, 1), "Filesystem 1024-blocks");

    IncidentState state = awaitPhase(incident, IncidentState.Phase.PUBLISHED);
    assertThat(dispatcher.requests).hasSize(1);
    assertThat(state.transcript()).hasSize(3);
    TranscriptEntry repeated = state.transcript().get(1);
    assertThat(repeated.status()).isEqualTo("exited");
    assertThat(repeated.output()).isEqualTo("Filesystem 1024-blocks");
    assertThat(repeated.detail()).contains("answered from the transcript").contains(id + ":1.1");
    TranscriptEntry malformed = state.transcript().get(2);
    assertThat(malformed.status()).isEqualTo(TranscriptEntry.REJECTED);
    assertThat(malformed.detail()).isEqualTo("invalid tool call: unknown tool");
  }

  private static String rejected(Brain.View view) {
    return view.transcript().stream().filter(e -> e.status().equals(TranscriptEntry.REJECTED)).findFirst()
        .orElseThrow().commandId();
  }

  @Test
  void claimCitingUnknownCommandIsListedApart() {
    String id = newId();
    Brain brain = new Brain() {
      @Override
      public String name() {
        return "citing";
      }

      @Override
      public Decision decide(View view) {
        if (view.stepsTaken() == 0) {
          return new RunCommands("df", List.of(new PlannedCommand("raw", JsonNodeFactory.instance.objectNode(),
              List.of("df", "-P", "-k"), "df"), new PlannedCommand("raw", JsonNodeFactory.instance.objectNode(),
              List.of("rm", "-rf", "/var/www"), "rm")));
        }
        String ran = view.transcript().get(0).commandId();
        return new Conclude(new InsightDraft("citing", "complete", "s", "cause", List.of("step"), List.of(), List.of(),
            List.of(new Insight.Evidence("disk is full", ran, "93%"),
                new Insight.Evidence("disk is nearly empty", ran, "12%"),
                new Insight.Evidence("a log says so", "made-up:9.9", "invented"),
                new Insight.Evidence("rm was refused", rejected(view), "program is not in the allowlist"),
                new Insight.Evidence("uptime shows the load", rejected(view), "load average"))));
      }
    };
    var incident = spawn(id, services(brain, Duration.ofMinutes(5), dispatcher));

    send(incident, alert("f1", Instant.now()));
    dispatcher.complete(awaitRequest(dispatcher, 1), "Filesystem 93%");

    IncidentState state = awaitPhase(incident, IncidentState.Phase.PUBLISHED);
    assertThat(state.insight().evidence()).extracting(Insight.Evidence::claim)
        .containsExactly("disk is full", "rm was refused");
    assertThat(state.insight().unverifiedClaims()).extracting(Insight.Evidence::claim)
        .containsExactly("disk is nearly empty", "a log says so", "uptime shows the load");
  }

  @Test
  void restartMidInvestigationDispatchesAgainAndConcludes() {
    String id = newId();
    var brain = new ScriptedBrain(List.of(List.of("df", "-P", "-k")));
    var first = spawn(id, services(brain, Duration.ofMinutes(5), dispatcher));
    send(first, alert("f1", Instant.now()));
    CommandRequest lost = awaitRequest(dispatcher, 1);

    TEST_KIT.stop(first);
    ManualDispatcher afterRestart = new ManualDispatcher();
    var second = spawn(id, services(brain, Duration.ofMinutes(5), afterRestart));
    second.tell(new Incident.Wake("test restart"));

    CommandRequest again = awaitRequest(afterRestart, 1);
    assertThat(again.commandId()).isEqualTo(lost.commandId());
    afterRestart.complete(again, "ok");
    IncidentState state = awaitPhase(second, IncidentState.Phase.PUBLISHED);
    assertThat(state.alert().fingerprint()).isEqualTo("f1");
    assertThat(state.transcript()).singleElement().extracting(TranscriptEntry::status).isEqualTo("exited");
  }

  @Test
  void resolvedBeforeConclusionClosesAsSelfResolved() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));
    send(incident, alert("f1", Instant.now()));
    CommandRequest request = awaitRequest(dispatcher, 1);

    TestProbe<IngestReply> probe = TEST_KIT.createTestProbe();
    incident.tell(new Incident.Resolve(alert("f1", Instant.now()), probe.getRef()));
    assertThat(probe.receiveMessage()).isEqualTo(new IngestReply.Accepted(id, "resolved"));
    dispatcher.complete(request, "late");

    IncidentState state = awaitPhase(incident, IncidentState.Phase.CLOSED);
    assertThat(state.outcome()).isEqualTo("self-resolved");
    assertThat(state.insight()).isNull();
    assertThat(state.transcript()).singleElement().extracting(TranscriptEntry::status).isEqualTo("cancelled");
    assertThat(sink.published).isEmpty();
  }

  @Test
  void timeBudgetConcludesWithPartialInsight() {
    String id = newId();
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofSeconds(1), dispatcher));
    send(incident, alert("f1", Instant.now()));
    awaitRequest(dispatcher, 1);

    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(details(incident).delivered()).isTrue();
      return null;
    });
    Insight insight = sink.published.get(0);
    assertThat(insight.status()).isEqualTo("partial");
    assertThat(insight.summary()).contains("time budget");
    assertThat(details(incident).transcript()).singleElement().extracting(TranscriptEntry::status).isEqualTo("cancelled");
  }

  @Test
  void failedDeliveryIsRetried() {
    String id = newId();
    sink.failuresLeft.set(2);
    var incident = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5), dispatcher));
    send(incident, alert("f1", Instant.now()));
    dispatcher.complete(awaitRequest(dispatcher, 1), "ok");

    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(details(incident).delivered()).isTrue();
      return null;
    });
    assertThat(sink.published).hasSize(1);
  }

  /** A judge that counts its calls and blocks each one until the test releases it. */
  static final class GatedJudge implements Judge {
    final AtomicInteger calls = new AtomicInteger();
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    @Override
    public Verdict judge(Insight insight, List<TranscriptEntry> transcript) {
      calls.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Verdict(true, "gated", List.of("released"), 0.5, Map.of("grounded", 0.75), 2);
    }

    @Override
    public Verdict failed(Insight insight, List<TranscriptEntry> transcript, String reason) {
      return new Verdict(false, "gated-fallback", List.of(reason));
    }
  }

  /** Spawns an incident that runs one command, completes it and so reaches the judge. */
  private ActorRef<Incident.Command> investigateOneCommand(String id, Judge judge, Duration judgeTimeout) {
    Brain brain = new ScriptedBrain(List.of(List.of("df", "-P", "-k")));
    var incident = spawn(id, services(brain, Duration.ofMinutes(5), dispatcher, judge, judgeTimeout));
    send(incident, alert("f1", Instant.now()));
    dispatcher.complete(awaitRequest(dispatcher, 1), "Filesystem 93%");
    return incident;
  }

  @Test
  void judgingIsAsyncAndResumesAfterRecovery() {
    String id = newId();
    GatedJudge judge = new GatedJudge();
    var incident = investigateOneCommand(id, judge, Duration.ofSeconds(30));

    // The incident replies to GetDetails while the judge blocks, because the judge runs on the blocking executor.
    awaitPhase(incident, IncidentState.Phase.JUDGING);
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(judge.calls).hasValue(1);
      return null;
    });
    TEST_KIT.stop(incident);
    var recovered = spawn(id, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))), Duration.ofMinutes(5),
        dispatcher, judge, Duration.ofSeconds(30)));
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(judge.calls).hasValue(2);
      return null;
    });
    judge.release.countDown();

    IncidentState state = awaitPhase(recovered, IncidentState.Phase.PUBLISHED);
    assertThat(state.verdict().judge()).isEqualTo("gated");
    assertThat(state.verdict().scores()).containsEntry("grounded", 0.75);
    assertThat(state.verdict().guidelinesVersion()).isEqualTo(2);
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(sink.published).hasSize(1);
      return null;
    });
    assertThat(judge.calls).hasValue(2);
  }

  @Test
  void resolvedWhileJudgingStillDelivers() {
    String id = newId();
    GatedJudge judge = new GatedJudge();
    var incident = investigateOneCommand(id, judge, Duration.ofSeconds(30));
    awaitPhase(incident, IncidentState.Phase.JUDGING);
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(judge.calls).hasValue(1);
      return null;
    });

    TestProbe<IngestReply> probe = TEST_KIT.createTestProbe();
    incident.tell(new Incident.Resolve(alert("f1", Instant.now()), probe.getRef()));
    assertThat(probe.receiveMessage()).isEqualTo(new IngestReply.Accepted(id, "resolved"));
    judge.release.countDown();

    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertThat(sink.published).hasSize(1);
      return null;
    });
    IncidentState state = awaitPhase(incident, IncidentState.Phase.CLOSED);
    assertThat(state.outcome()).isEqualTo("resolved");
    assertThat(state.verdict().judge()).isEqualTo("gated");
    assertThat(state.delivered()).isTrue();
    assertThat(judge.calls).hasValue(1);
  }

  @Test
  void slowJudgeGetsFallbackVerdict() {
    GatedJudge judge = new GatedJudge();
    var incident = investigateOneCommand(newId(), judge, Duration.ofMillis(300));

    IncidentState state = awaitPhase(incident, IncidentState.Phase.AWAITING_REVIEW);
    judge.release.countDown();

    assertThat(state.verdict().judge()).isEqualTo("gated-fallback");
    assertThat(state.verdict().reasons()).containsExactly("no verdict within PT0.3S");
    assertThat(judge.calls).hasValue(1);
    assertThat(sink.published).isEmpty();
  }

  @Test
  void verdictOfOlderEventsDeserializes() throws Exception {
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(TEST_KIT.system());
    Incident.InsightHeld current = new Incident.InsightHeld(
        new Judge.Verdict(false, "model:m", List.of("low"), 0.5, Map.of("safety", 0.25), 4),
        Instant.parse("2026-12-04T09:00:00Z"));
    var serializer = serialization.findSerializerFor(current);
    String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, current);
    com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
        agent.Json.mapper().readTree(serialization.serialize(current).get());
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("verdict")).remove(List.of("scores", "guidelinesVersion"));
    byte[] older = agent.Json.write(json).getBytes(java.nio.charset.StandardCharsets.UTF_8);

    Object back = serialization.deserialize(older,
        serializer.identifier(), manifest).get();

    assertThat(json.get("verdict").has("scores")).isFalse();
    assertThat(back).isInstanceOf(Incident.InsightHeld.class);
    Judge.Verdict verdict = ((Incident.InsightHeld) back).verdict();
    assertThat(verdict.judge()).isEqualTo("model:m");
    assertThat(verdict.efficiency()).isEqualTo(0.5);
    assertThat(verdict.scores()).isEmpty();
    assertThat(verdict.guidelinesVersion()).isZero();
  }

  private static Review.Decision decision(String verdict) {
    return new Review.Decision(verdict, "alice", "checked on the host", List.of("label-1"),
        Instant.parse("2026-12-04T10:00:00Z"), !Review.RELEASING.contains(verdict));
  }

  private static Incident.ReviewApplied applyReview(ActorRef<Incident.Command> incident, String id, String verdict) {
    TestProbe<Incident.ReviewApplied> probe = TEST_KIT.createTestProbe();
    incident.tell(new Incident.ApplyReview(id, decision(verdict), probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private static void awaitEnqueued(ActorRef<Incident.Command> incident) {
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(details(incident).review().enqueued()).isTrue();
      return null;
    });
  }

  @Test
  void heldInsightIsSubmittedUntilQueueConfirms() {
    String id = newId();
    RecordingDesk desk = new RecordingDesk();
    desk.failuresLeft.set(2);
    var incident = spawn(id, services(new HoldingBrain(), Duration.ofMinutes(5), dispatcher, desk.desk(sampler(0.0))));

    send(incident, alert("f1", Instant.now()));

    awaitEnqueued(incident);
    IncidentState state = details(incident);
    assertThat(state.phase()).isEqualTo(IncidentState.Phase.AWAITING_REVIEW);
    assertThat(state.review().reason()).isEqualTo(IncidentState.ReviewStatus.HELD);
    assertThat(desk.failuresLeft.get()).isNegative();
    assertThat(desk.submitted).singleElement().satisfies(review -> {
      assertThat(review.reviewId()).isEqualTo(id);
      assertThat(review.held()).isTrue();
      assertThat(review.useCase()).isEqualTo("disk-space");
      assertThat(review.verdict().publish()).isFalse();
    });
    assertThat(sink.published).isEmpty();
  }

  @Test
  void releasedInsightIsDeliveredOnce() {
    String id = newId();
    RecordingDesk desk = new RecordingDesk();
    var incident = spawn(id, services(new HoldingBrain(), Duration.ofMinutes(5), dispatcher, desk.desk(sampler(0.0))));
    send(incident, alert("f1", Instant.now()));
    awaitEnqueued(incident);

    assertThat(applyReview(incident, id, "partly-correct").outcome()).isEqualTo("released");
    assertThat(applyReview(incident, id, "wrong").outcome()).isEqualTo("already-decided");

    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(details(incident).delivered()).isTrue();
      return null;
    });
    IncidentState state = details(incident);
    assertThat(state.phase()).isEqualTo(IncidentState.Phase.PUBLISHED);
    assertThat(state.review().decision().verdict()).isEqualTo("partly-correct");

    TEST_KIT.stop(incident);
    var recovered = spawn(id, services(new HoldingBrain(), Duration.ofMinutes(5), dispatcher, desk.desk(sampler(0.0))));
    assertThat(details(recovered).delivered()).isTrue();
    assertThat(applyReview(recovered, id, "correct").outcome()).isEqualTo("already-decided");
    assertThat(sink.published).singleElement().extracting(Insight::incidentId).isEqualTo(id);
    assertThat(desk.submitted).hasSize(1);
  }

  @Test
  void rejectedInsightIsNeverDelivered() throws Exception {
    String id = newId();
    RecordingDesk desk = new RecordingDesk();
    var incident = spawn(id, services(new HoldingBrain(), Duration.ofMinutes(5), dispatcher, desk.desk(sampler(0.0))));
    send(incident, alert("f1", Instant.now()));
    awaitEnqueued(incident);

    assertThat(applyReview(incident, id, "unsafe").outcome()).isEqualTo("rejected");

    IncidentState state = details(incident);
    assertThat(state.phase()).isEqualTo(IncidentState.Phase.CLOSED);
    assertThat(state.outcome()).isEqualTo("rejected");
    assertThat(state.closeReason()).contains("alice").contains("unsafe");
    Thread.sleep(300);
    assertThat(sink.published).isEmpty();
    assertThat(details(incident).delivered()).isFalse();
  }

  @Test
  void publishedInsightIsSampledByRate() {
    RecordingDesk always = new RecordingDesk();
    String sampledId = newId();
    var sampled = spawn(sampledId, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))),
        Duration.ofMinutes(5), dispatcher, always.desk(sampler(1.0))));
    send(sampled, alert("f1", Instant.now()));
    dispatcher.complete(awaitRequest(dispatcher, 1), "Filesystem 93%");
    awaitEnqueued(sampled);
    IncidentState state = details(sampled);
    assertThat(state.review().reason()).startsWith("sampled (default, rate 1.000");
    assertThat(always.submitted).singleElement().satisfies(review -> assertThat(review.held()).isFalse());

    RecordingDesk never = new RecordingDesk();
    ManualDispatcher commands = new ManualDispatcher();
    String skippedId = newId();
    var skipped = spawn(skippedId, services(new ScriptedBrain(List.of(List.of("df", "-P", "-k"))),
        Duration.ofMinutes(5), commands, never.desk(sampler(0.0))));
    send(skipped, alert("f1", Instant.now()));
    commands.complete(awaitRequest(commands, 1), "Filesystem 93%");
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(details(skipped).delivered()).isTrue();
      return null;
    });
    assertThat(details(skipped).review().requested()).isFalse();
    assertThat(never.submitted).isEmpty();
  }

  @Test
  void recoveryResubmitsUnconfirmedReview() {
    String id = newId();
    RecordingDesk down = new RecordingDesk();
    down.failuresLeft.set(Integer.MAX_VALUE);
    var first = spawn(id, services(new HoldingBrain(), Duration.ofMinutes(5), dispatcher, down.desk(sampler(0.0))));
    send(first, alert("f1", Instant.now()));
    awaitPhase(first, IncidentState.Phase.AWAITING_REVIEW);
    TEST_KIT.stop(first);

    RecordingDesk up = new RecordingDesk();
    var second = spawn(id, services(new HoldingBrain(), Duration.ofMinutes(5), dispatcher, up.desk(sampler(0.0))));
    second.tell(new Incident.Wake("test restart"));

    awaitEnqueued(second);
    assertThat(up.submitted).singleElement().extracting(Review::reviewId).isEqualTo(id);
    assertThat(down.submitted).isEmpty();
  }

  @Test
  void reviewEventsSerialize() {
    var serialization = TEST_KIT.serializationTestKit();
    TestProbe<Incident.ReviewApplied> probe = TEST_KIT.createTestProbe();

    serialization.verifySerialization(new Incident.SampledForReview("sampled (default, rate 0.050)", Instant.now()), true);
    serialization.verifySerialization(new Incident.ReviewEnqueued(Instant.now()), true);
    serialization.verifySerialization(new Incident.InsightReleased("r-1", decision("correct"), Instant.now()), true);
    serialization.verifySerialization(new Incident.InsightRejected("r-1", decision("wrong"), Instant.now()), true);
    serialization.verifySerialization(new Incident.ApplyReview("r-1", decision("unsafe"), probe.getRef()), true);
    serialization.verifySerialization(new Incident.ReviewApplied("i", "released"), true);
    serialization.verifySerialization(new Incident.InsightHeld(new agent.Judge.Verdict(false, "structural",
        List.of("no evidence"), 0.5, Map.of("safety", 0.0), 3), Instant.now()), true);
  }

  @Test
  void eventsAndStateSerialize() {
    var serialization = TEST_KIT.serializationTestKit();
    Alert alert = alert("f1", Instant.parse("2026-12-04T09:00:00Z"));
    TranscriptEntry entry = new TranscriptEntry(1, "i:1.1", "raw", List.of("df", "-P", "-k"), "why", "exited", 0, 5,
        "out", false, "", JsonNodeFactory.instance.objectNode().put("usePercent", 93));
    Insight insight = IncidentState.empty("i").opened(alert, Instant.parse("2026-12-04T09:00:01Z"))
        .toInsight(IncidentState.failedDraft("x"), "playbook", Instant.parse("2026-12-04T09:00:02Z"),
            new Insight.Usage(2, 1200, 300, 0.0042));

    serialization.verifySerialization(new Incident.Opened("i", alert, Instant.now()), true);
    agent.ModelTurn turn = new agent.ModelTurn(1, "test-model", "checking disk",
        List.of(new agent.ModelTurn.ToolCall("call_1", "disk_usage", "{}")), 900, 40, "");
    serialization.verifySerialization(new Incident.StepPlanned(1, "why", List.of(entry), turn, Instant.now()), true);
    serialization.verifySerialization(new Incident.StepPlanned(1, "why", List.of(entry), null, Instant.now()), true);
    serialization.verifySerialization(new Incident.CommandCompleted(new CommandResult("i:1.1", "i", "web-01", "exited",
        0, 5, "out", false, "", JsonNodeFactory.instance.objectNode()), Instant.now()), true);
    serialization.verifySerialization(new Incident.InvestigationConcluded(insight, turn, Instant.now()), true);
    serialization.verifySerialization(new Incident.InsightPublished(
        new agent.Judge.Verdict(true, "structural", List.of("ok")), Instant.now()), true);
    serialization.verifySerialization(new Incident.InsightPublished(new agent.Judge.Verdict(true, "model:m",
        List.of("ok"), 0.8, Map.of("grounded", 0.9, "safety", 1.0), 3), Instant.now()), true);
    serialization.verifySerialization(new Incident.IncidentClosed("resolved", "why", Instant.now()), true);
    TestProbe<Incident.ResultRecorded> replyTo = TEST_KIT.createTestProbe();
    serialization.verifySerialization(new Incident.CommandFinished(new CommandResult("i:1.1", "i", "web-01", "exited",
        0, 5, "out", false, "", JsonNodeFactory.instance.objectNode()), replyTo.getRef()), true);
    serialization.verifySerialization(new Incident.CommandFinished(new CommandResult("i:1.1", "i", "web-01", "exited",
        0, 5, "out", false, "", JsonNodeFactory.instance.objectNode())), true);
    serialization.verifySerialization(new Incident.ResultRecorded("i:1.1"), true);
    serialization.verifySerialization(
        IncidentState.empty("i").opened(alert, Instant.now()).stepPlanned(List.of(entry), turn), true);
    serialization.verifySerialization(new IncidentRouter.IncidentAssigned("i", 1, "f1@t"), true);
    serialization.verifySerialization(new IncidentRouter.State("i", true, 1, java.util.Set.of("a", "b")), true);
  }
}
