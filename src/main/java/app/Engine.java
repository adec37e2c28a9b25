package app;

import actors.AgreementMeters;
import actors.AlertIntake;
import actors.GuidelinesStore;
import actors.GuidelinesView;
import actors.Incident;
import actors.IncidentResumer;
import actors.IncidentRouter;
import actors.IncidentServices;
import actors.IncidentSettings;
import actors.ReviewDesk;
import actors.ReviewQueue;
import actors.ReviewSettings;
import agent.Analyzers;
import agent.Brain;
import agent.ChatModels;
import agent.KbLinkingBrain;
import agent.KnowledgePack;
import agent.LlmBrain;
import agent.ModelSettings;
import agent.StackProfile;
import agent.ToolCatalog;
import agent.PlaybookBrain;
import agent.ResultAnalysis;
import agent.StructuralJudge;
import agent.Guidelines;
import agent.Judge;
import agent.JudgeSettings;
import agent.MeteredJudge;
import agent.ModelJudge;
import api.AlertRoutes;
import api.HttpSettings;
import api.ReviewRoutes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import fleet.CommandPolicy;
import fleet.CommandRunner;
import fleet.Inventory;
import fleet.LocalRunner;
import fleet.Runners;
import fleet.SimulatedRunner;
import fleet.SimulatedSettings;
import fleet.SshRunner;
import fleet.SshSettings;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import agent.kb.KbSettings;
import agent.kb.KnowledgeBase;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import streams.CommandDispatcher;
import streams.InsightSink;
import streams.JsonLinesInsightSink;
import streams.RedisStreamInsightSink;

/**
 * One running engine: the actor system joined to its cluster, the journal, the command
 * queue and its executor, the insight sink, the sharded incidents and routers and, when asked for, the HTTP
 * API. {@link #close()} shuts it all down in reverse order.
 */
public final class Engine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** How long a one-shot run waits for the embedding index of the knowledge base before its first alert. */
  static final Duration KNOWLEDGE_BASE_WAIT = Duration.ofMinutes(2);

  private final ActorSystem<Void> system;
  private final Config config;
  private final CommandQueue commandQueue;
  private final InsightSink sink;
  private final Runners runners;
  private final AlertIntake intake;
  private final MeterRegistry meters;
  private final Review review;
  private final KnowledgeBase knowledgeBase;
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicBoolean closed = new AtomicBoolean(false);
  private ServerBinding binding;

  /** The human review side of an engine: the review queue, the guidelines and how long to wait for them. */
  private record Review(ActorRef<ReviewQueue.Command> queue, GuidelinesView guidelines, Duration askTimeout) {}

  private Engine(ActorSystem<Void> system, Config config, CommandQueue commandQueue, InsightSink sink, Runners runners,
      AlertIntake intake, MeterRegistry meters, Review review, KnowledgeBase knowledgeBase) {
    this.meters = meters;
    this.review = review;
    this.knowledgeBase = knowledgeBase;
    this.system = system;
    this.config = config;
    this.commandQueue = commandQueue;
    this.sink = sink;
    this.runners = runners;
    this.intake = intake;
  }

  /**
   * Starts an engine. {@code config} is the full configuration (application.conf with any
   * overrides, resolved). The HTTP API is bound only by {@link #bindHttp}.
   */
  public static Engine start(Config config) throws IOException {
    return start(config, null);
  }

  /**
   * Starts an engine whose commands all go to {@code runner} instead of the runners the inventory
   * names, or to those when it is null. Evaluation replays recorded outputs this way.
   */
  public static Engine start(Config config, CommandRunner runner) throws IOException {
    Config full = withJournalDatabase(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "fleet-sre", full);
    try {
      return wire(system, full, runner);
    } catch (RuntimeException | IOException e) {
      system.terminate();
      throw e;
    }
  }

  private static Engine wire(ActorSystem<Void> system, Config config, CommandRunner runnerOverride) throws IOException {
    Config fleetSre = config.getConfig("fleet-sre");
    ClusterFormation.start(system, fleetSre.getConfig("cluster"));
    await(SchemaUtils.createIfNotExists(system), "creating the journal tables");

    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("fleet-sre-blocking-dispatcher"));
    JudgeSettings judgeSettings = JudgeSettings.fromConfig(fleetSre.getConfig("judge"));
    IncidentSettings incidentSettings = IncidentSettings.fromConfig(fleetSre.getConfig("incident"), judgeSettings.timeout());
    Inventory inventory = Inventory.fromConfig(fleetSre.getConfig("inventory"));
    CommandPolicy policy = CommandPolicy.fromConfig(fleetSre.getConfig("command-policy"));
    Analyzers analyzers = Analyzers.fromConfig(fleetSre, Clock.systemUTC());

    Runners runners = new Runners(
        new LocalRunner(fleetSre.getInt("execution.local-runner-threads")),
        new SshRunner(SshSettings.fromConfig(fleetSre.getConfig("ssh")), fleetSre.getInt("execution.ssh-runner-threads")),
        new SimulatedRunner(SimulatedSettings.fromConfig(fleetSre.getConfig("simulated")), Clock.systemUTC()));
    CommandRunner runner = runnerOverride != null ? runnerOverride : runners;
    CommandQueue commandQueue = CommandQueue.start(system, fleetSre, inventory, runner,
        new ResultAnalysis(analyzers, incidentSettings.transcriptOutputCap()));
    InsightSink sink = insightSink(fleetSre, blocking);

    ClusterSharding sharding = ClusterSharding.get(system);
    MeterRegistry meters = new SimpleMeterRegistry();
    Review review = startReview(system, fleetSre, meters);
    KnowledgeBase knowledgeBase = KnowledgeBase.start(KbSettings.fromConfig(fleetSre.getConfig("kb")), blocking);
    IncidentServices services = new IncidentServices(
        new KbLinkingBrain(brain(system, fleetSre, analyzers, incidentSettings, meters), knowledgeBase),
        judge(system, fleetSre, judgeSettings, incidentSettings, meters, review.guidelines()),
        policy,
        commandQueue.dispatcher(),
        sink,
        incidentSettings,
        Clock.systemUTC(),
        blocking,
        result -> sharding.entityRefFor(Incident.ENTITY_KEY, result.incidentId())
            .tell(new Incident.CommandFinished(result)),
        (dedupKey, incidentId) -> sharding.entityRefFor(IncidentRouter.ENTITY_KEY, dedupKey)
            .tell(new IncidentRouter.IncidentFinished(incidentId)),
        reviewDesk(system, fleetSre, review));
    IncidentRouter.init(system);
    Incident.init(system, services);
    commandQueue.startExecutor(timeout -> result -> sharding.entityRefFor(Incident.ENTITY_KEY, result.incidentId())
        .<Incident.ResultRecorded>ask(replyTo -> new Incident.CommandFinished(result, replyTo), timeout));

    meters.gauge("fleet_sre.commands.queued", commandQueue.dispatcher(), CommandDispatcher::queued);
    AlertIntake intake = new AlertIntake(system, fleetSre.getDuration("http.ask-timeout"));
    Engine engine = new Engine(system, config, commandQueue, sink, runners, intake, meters, review, knowledgeBase);
    stopQueueBeforeSharding(system, commandQueue);
    engine.awaitUp();
    int resumed = await(IncidentResumer.resumeUnfinished(system), "finding unfinished incidents");
    engine.ready.set(true);
    LOG.info("engine ready: [{}] unfinished incidents resumed, inventory holds [{}] hosts", resumed, inventory.hosts().size());
    return engine;
  }

  /** Binds the HTTP API; {@code port} 0 picks a free port. Completes with the bound address. */
  public InetSocketAddress bindHttp(int port) {
    Config fleetSre = config.getConfig("fleet-sre");
    HttpSettings settings = HttpSettings.fromConfig(fleetSre.getConfig("http"), fleetSre.getConfig("ingest")).withPort(port);
    AlertRoutes routes = new AlertRoutes(system, intake, settings, commandQueue.dispatcher()::saturated, ready::get, Clock.systemUTC(),
        meters);
    ReviewRoutes reviewRoutes = new ReviewRoutes(system, review.queue(), review.guidelines(), intake, settings,
        review.askTimeout(), Clock.systemUTC());
    binding = await(Http.get(system).newServerAt(settings.interfaceName(), settings.port())
            .bind(routes.routes(reviewRoutes.routes())),
        "binding the HTTP API");
    binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
    LOG.info("HTTP API listening on [{}] ({})", binding.localAddress(), settings);
    return binding.localAddress();
  }

  public AlertIntake intake() {
    return intake;
  }

  /**
   * Waits up to {@link #KNOWLEDGE_BASE_WAIT} for the knowledge base's start-up work, so that one-shot
   * runs (demo, investigate, eval) link articles by embedding retrieval from their first insight on.
   * After that they go on with what the knowledge base has.
   */
  public void awaitKnowledgeBase() throws InterruptedException {
    try {
      knowledgeBase.ready().get(KNOWLEDGE_BASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("knowledge base not ready after [{}]; going on with what it has: {}", KNOWLEDGE_BASE_WAIT, e.toString());
    }
  }

  public MeterRegistry meters() {
    return meters;
  }

  /** Returns this node's cached view of the judge guidelines. */
  public GuidelinesView guidelines() {
    return review.guidelines();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public boolean ready() {
    return ready.get();
  }

  /** Stops taking requests, then the command queue, the actor system and the sink. Calls after the first do nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("engine stopping");
    ready.set(false);
    if (binding != null) {
      await(binding.unbind(), "unbinding the HTTP API");
    }
    commandQueue.close();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("actor system did not terminate within 30 s", e);
    }
    knowledgeBase.close();
    runners.close();
    sink.close();
    LOG.info("engine stopped");
  }

  // ---- wiring helpers ----

  /**
   * Stops the command queue in coordinated shutdown's service-requests-done phase, before cluster
   * sharding stops: a draining executor still needs sharding to deliver its last results and to
   * get the confirmations it acknowledges them on. Stopping it after sharding left its finished
   * work unacknowledged, to be run again after claim-idle.
   */
  private static void stopQueueBeforeSharding(ActorSystem<Void> system, CommandQueue commandQueue) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-command-queue",
        () -> CompletableFuture.supplyAsync(() -> {
          commandQueue.close();
          return Done.getInstance();
        }, runnable -> new Thread(runnable, "fleet-sre-queue-stop").start()));
  }

  /**
   * Starts the judge guidelines store and the review queue (cluster singletons) and this node's
   * cached view of the guidelines. A reviewer's verdict on a held insight goes to its incident
   * through sharding.
   */
  private static Review startReview(ActorSystem<?> system, Config fleetSre, MeterRegistry meters) {
    ReviewSettings settings = ReviewSettings.fromConfig(fleetSre.getConfig("review"));
    Config guidelinesConfig = fleetSre.getConfig("guidelines");
    ActorRef<GuidelinesStore.Command> store =
        GuidelinesStore.init(system, Clock.systemUTC(), guidelinesConfig.getInt("snapshot-every"));
    GuidelinesView guidelines = new GuidelinesView(system, store, settings.askTimeout());
    guidelines.startRefreshing(guidelinesConfig.getDuration("refresh-interval"));

    ClusterSharding sharding = ClusterSharding.get(system);
    ActorRef<ReviewQueue.Command> queue = ReviewQueue.init(system, settings, Clock.systemUTC(),
        decided -> sharding.entityRefFor(Incident.ENTITY_KEY, decided.incidentId())
            .<Incident.ReviewApplied>ask(
                replyTo -> new Incident.ApplyReview(decided.reviewId(), decided.decision(), replyTo),
                settings.askTimeout()),
        new AgreementMeters(meters));
    return new Review(queue, guidelines, settings.askTimeout());
  }

  private static ReviewDesk reviewDesk(ActorSystem<?> system, Config fleetSre, Review review) {
    ReviewSettings settings = ReviewSettings.fromConfig(fleetSre.getConfig("review"));
    return new ReviewDesk(settings.sampling(),
        submission -> AskPattern.<ReviewQueue.Command, ReviewQueue.Submitted>ask(review.queue(),
            replyTo -> new ReviewQueue.Submit(submission, replyTo), review.askTimeout(), system.scheduler()),
        settings.submitRetry());
  }

  /**
   * The playbook brain, or a model brain that falls back to it when {@code fleet-sre.model} names
   * a model. One circuit breaker guards the endpoint for all incidents of this node.
   */
  private static Brain brain(ActorSystem<?> system, Config fleetSre, Analyzers analyzers, IncidentSettings incident,
      MeterRegistry meters) {
    PlaybookBrain playbook = PlaybookBrain.fromConfig(fleetSre, analyzers, Clock.systemUTC());
    ModelSettings model = ModelSettings.fromConfig(fleetSre.getConfig("model"));
    if (!model.enabled()) {
      LOG.info("investigations use the playbook brain: no model is configured");
      return playbook;
    }
    CircuitBreaker breaker = breaker(system, model, incident.brainTimeout(), "model", "incidents use the playbook brain");
    StackProfile profile = StackProfile.fromConfig(fleetSre.getConfig("stack-profile"));
    LOG.info("investigations use {}, with the playbook brain as fallback", model);
    return new LlmBrain(ChatModels.create(model), model, new ToolCatalog(analyzers, profile),
        KnowledgePack.fromConfig(fleetSre), profile, playbook, breaker, meters, incident.maxModelTurns());
  }

  /**
   * Builds the structural judge, or with {@code fleet-sre.judge.kind = model} a model judge that
   * runs the structural checks first. The judge's model settings are the keys of
   * {@code fleet-sre.judge.model} over those of {@code fleet-sre.model}. Either judge counts its
   * verdicts in {@code meters} and reads the judge guidelines from {@code guidelines}.
   */
  private static Judge judge(ActorSystem<?> system, Config fleetSre, JudgeSettings settings,
      IncidentSettings incident, MeterRegistry meters, Guidelines.Source guidelines) {
    StructuralJudge structural = new StructuralJudge(incident.maxSteps(), incident.maxCommands(),
        incident.maxInputTokens() + incident.maxOutputTokens(), guidelines);
    if (!settings.model()) {
      return new MeteredJudge(structural, settings.kind(), meters);
    }
    Config modelConfig = fleetSre.getConfig("judge.model")
        .withFallback(fleetSre.getConfig("model"))
        .withValue("max-output-tokens-per-turn", ConfigValueFactory.fromAnyRef(settings.maxOutputTokens()));
    ModelSettings model = ModelSettings.fromConfig(modelConfig);
    if (!model.enabled()) {
      throw new IllegalArgumentException("fleet-sre.judge.kind = model needs a model, but neither fleet-sre.judge.model "
          + "nor fleet-sre.model names one; set FLEET_SRE_JUDGE_MODEL_URL and FLEET_SRE_JUDGE_MODEL (or the "
          + "FLEET_SRE_MODEL variables), or use fleet-sre.judge.kind = structural");
    }
    CircuitBreaker breaker = breaker(system, model, settings.timeout(), "judge model",
        "the structural checks decide alone");
    LOG.info("insights are judged by {}, with the structural checks as guards and fallback", model);
    return new MeteredJudge(new ModelJudge(ChatModels.create(model), model, settings, structural,
        guidelines, breaker, meters), settings.kind(), meters);
  }

  /** One circuit breaker per endpoint use, shared by all incidents of this node; it logs when it opens and closes. */
  private static CircuitBreaker breaker(ActorSystem<?> system, ModelSettings model, Duration callTimeout, String what,
      String whileOpen) {
    CircuitBreaker breaker = CircuitBreaker.create(Adapter.toClassic(system).scheduler(),
        model.breakerMaxFailures(), callTimeout, model.breakerResetTimeout());
    breaker.addOnOpenListener(() -> LOG.warn("{} circuit breaker opened after [{}] failures; {} for [{}]",
        what, model.breakerMaxFailures(), whileOpen, model.breakerResetTimeout()));
    breaker.addOnCloseListener(() -> LOG.info("{} circuit breaker closed: the model answers again", what));
    return breaker;
  }

  private static InsightSink insightSink(Config fleetSre, Executor blocking) throws IOException {
    Config insights = fleetSre.getConfig("insights");
    String kind = insights.getString("sink");
    switch (kind) {
      case "jsonl" -> {
        Path file = Path.of(insights.getString("jsonl-file"));
        if (!file.isAbsolute()) {
          file = Path.of(fleetSre.getString("data-dir")).resolve(file);
        }
        return new JsonLinesInsightSink(file, blocking);
      }
      case "redis" -> {
        Config redis = insights.getConfig("redis");
        return new RedisStreamInsightSink(RedisClient.create(redis.getString("uri")), redis.getString("stream"),
            redis.getLong("max-len"));
      }
      default -> throw new IllegalArgumentException(
          "fleet-sre.insights.sink: invalid value [" + kind + "]; expected jsonl or redis");
    }
  }

  /**
   * Adds the JDBC settings of the journal database, derived from {@code fleet-sre.journal}: the
   * Slick profile and driver follow from the URL, and an empty URL means an H2 file under data-dir.
   */
  static Config withJournalDatabase(Config config) throws IOException {
    Config journal = config.getConfig("fleet-sre.journal");
    String url = journal.getString("url");
    if (url.isEmpty()) {
      Path dataDir = Path.of(config.getString("fleet-sre.data-dir")).toAbsolutePath();
      Files.createDirectories(dataDir);
      // H2 closes the database in its own JVM shutdown hook by default. The engine closes it after the actors stop.
      url = "jdbc:h2:file:" + dataDir.resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE";
    }
    String profile;
    String driver;
    if (url.startsWith("jdbc:postgresql:")) {
      profile = "slick.jdbc.PostgresProfile$";
      driver = "org.postgresql.Driver";
    } else if (url.startsWith("jdbc:h2:")) {
      profile = "slick.jdbc.H2Profile$";
      driver = "org.h2.Driver";
    } else {
      throw new IllegalArgumentException("fleet-sre.journal.url: unsupported JDBC URL [" + url
          + "]; expected jdbc:postgresql://HOST:PORT/DB or jdbc:h2:...");
    }

    int connections = journal.getInt("max-connections");
    String prefix = "pekko-persistence-jdbc.shared-databases.fleet-sre.";
    Map<String, Object> settings = new HashMap<>();
    settings.put(prefix + "profile", profile);
    settings.put(prefix + "db.url", url);
    settings.put(prefix + "db.user", journal.getString("user"));
    settings.put(prefix + "db.password", journal.getString("password"));
    settings.put(prefix + "db.driver", driver);
    settings.put(prefix + "db.connectionPool", "HikariCP");
    settings.put(prefix + "db.numThreads", connections);
    settings.put(prefix + "db.maxConnections", connections);
    settings.put(prefix + "db.minConnections", 1);
    settings.put(prefix + "db.queueSize", 10000);
    settings.put(prefix + "db.keepAliveConnection", true);
    return ConfigFactory.parseMap(settings).withFallback(config).resolve();
  }

  private void awaitUp() {
    Cluster cluster = Cluster.get(system);
    Duration timeout = config.getDuration("fleet-sre.cluster.join-timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("this node did not join its cluster within " + timeout
            + " (fleet-sre.cluster.join-timeout); check fleet-sre.cluster.discovery and its settings");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while joining the cluster", e);
      }
    }
  }

  private static <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("failed " + what + ": " + cause.getMessage(), cause);
    }
  }
}
