package actors;

import agent.Alert;
import agent.Brain;
import agent.Insight;
import agent.Judge;
import agent.ModelTurn;
import agent.TranscriptEntry;
import fleet.CommandRequest;
import fleet.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incident: the investigation of one alert (and its repeats) on one host, as an event-sourced
 * state machine. Every transition is a persisted event, so after a crash or a rebalance the
 * incident resumes where it was. Commands that were in flight are dispatched again, because they
 * are read-only. A decision that was being made is requested again, and an insight that was not
 * yet delivered is delivered again.
 *
 * <p>Phases: {@code OPEN -> INVESTIGATING -> JUDGING -> PUBLISHED | AWAITING_REVIEW -> CLOSED}.
 *
 * <p>A held insight, and a published one that {@link ReviewSampler} picks, goes to the review queue;
 * the submission is repeated until the queue confirms it. A reviewer's verdict on a held insight
 * comes back as {@link ApplyReview}: {@code correct} or {@code partly-correct} publishes it
 * ({@code AWAITING_REVIEW -> PUBLISHED}), {@code wrong} or {@code unsafe} closes the incident with
 * outcome {@code rejected} and the insight is never delivered.
 */
public final class Incident extends EventSourcedBehavior<Incident.Command, Incident.Event, IncidentState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Incident");

  /** Tag of the event that opens an incident; with {@link #FINISHED_TAG} it finds unfinished incidents. */
  public static final String OPENED_TAG = "incident-opened";

  /** Tag of the events after which an incident needs no more work. */
  public static final String FINISHED_TAG = "incident-finished";

  /** Tag of the events that send an insight to review; with {@link #REVIEW_ENQUEUED_TAG} it finds unsent ones. */
  public static final String REVIEW_REQUESTED_TAG = "incident-review-requested";

  /** Tag of the event recording that the review queue confirmed it has the insight. */
  public static final String REVIEW_ENQUEUED_TAG = "incident-review-enqueued";

  /** Tag of the event releasing a held insight; with {@link #DELIVERED_TAG} it finds undelivered ones. */
  public static final String RELEASED_TAG = "incident-released";

  /** Tag of the event recording that the insight reached the downstream topic. */
  public static final String DELIVERED_TAG = "incident-delivered";

  private static final Logger AUDIT = LoggerFactory.getLogger("fleet-sre.audit");

  // ---- protocol ----

  /** Messages an incident handles. */
  public sealed interface Command extends JsonSerializable {}

  /** Delivers a firing alert: opens the incident, attaches to it, or counts as a heartbeat of a repeat delivery. */
  public record ReceiveAlert(Alert alert, ActorRef<IngestReply> replyTo) implements Command {}

  /** Delivers a resolved notification: closes the incident unless it is closed already. */
  public record Resolve(Alert alert, ActorRef<IngestReply> replyTo) implements Command {}

  /** Asks for the full state: alerts, transcript, insight. */
  public record GetDetails(ActorRef<IncidentState> replyTo) implements Command {}

  /** Starts (or recovers) the entity so that an unfinished investigation continues. */
  public record Wake(String reason) implements Command {}

  /**
   * The result of a command this incident dispatched.
   *
   * @param replyTo gets {@link ResultRecorded} once the result is persisted, or at once when the
   *     command is not pending any more (already recorded, cancelled); null when no reply is wanted
   */
  public record CommandFinished(CommandResult result, ActorRef<ResultRecorded> replyTo) implements Command {

    public CommandFinished(CommandResult result) {
      this(result, null);
    }
  }

  /** The reply to {@link CommandFinished}: the incident needs this command's result no more. */
  public record ResultRecorded(String commandId) implements JsonSerializable {}

  private record BrainDecided(int step, Brain.Decision decision) implements Command {}

  private record BrainFailed(int step, String reason) implements Command {}

  private record DeadlineReached(String reason) implements Command {}

  private record RetryDispatch(String reason) implements Command {}

  private record DeliveryDone(String reason) implements Command {}

  private record DeliveryFailed(String reason) implements Command {}

  private record RetryDelivery(String reason) implements Command {}

  private record RunJudge(String reason) implements Command {}

  private record JudgeDecided(Judge.Verdict verdict) implements Command {}

  private record JudgeFailed(String reason) implements Command {}

  /**
   * Delivers a reviewer's verdict on the held insight. Idempotent: once a verdict is recorded,
   * later ones are confirmed without effect.
   */
  public record ApplyReview(String reviewId, Review.Decision decision, ActorRef<ReviewApplied> replyTo)
      implements Command {}

  /** @param outcome {@code released}, {@code rejected}, {@code already-decided} or {@code not-held} */
  public record ReviewApplied(String incidentId, String outcome) implements JsonSerializable {}

  private record SampleForReview(String reason) implements Command {}

  private record ReviewSubmitted(String reason) implements Command {}

  private record ReviewSubmitFailed(String reason) implements Command {}

  private record RetryReviewSubmit(String reason) implements Command {}

  /** Events, in the order an incident goes through them. */
  public sealed interface Event extends JsonSerializable {}

  public record Opened(String incidentId, Alert alert, Instant at) implements Event {}

  public record AlertAttached(Alert alert, Instant at) implements Event {}

  public record HeartbeatReceived(String deliveryKey, Instant at) implements Event {}

  /** The brain planned a step; each entry is pending, or rejected by the command policy with its reason. */
  public record StepPlanned(int step, String rationale, List<TranscriptEntry> entries, ModelTurn turn, Instant at)
      implements Event {}

  public record CommandCompleted(CommandResult result, Instant at) implements Event {}

  /** The investigation produced an insight, which now goes to the judge. */
  public record InvestigationConcluded(Insight insight, ModelTurn turn, Instant at) implements Event {}

  public record InsightPublished(Judge.Verdict verdict, Instant at) implements Event {}

  public record InsightHeld(Judge.Verdict verdict, Instant at) implements Event {}

  public record InsightDelivered(Instant at) implements Event {}

  /** The sampler picked the published insight for review; {@code reason} names the rule. */
  public record SampledForReview(String reason, Instant at) implements Event {}

  /** The review queue confirmed it has this incident's insight. */
  public record ReviewEnqueued(Instant at) implements Event {}

  /** A reviewer released the held insight; it is delivered like a published one. */
  public record InsightReleased(String reviewId, Review.Decision decision, Instant at) implements Event {}

  /** A reviewer rejected the held insight; it is never delivered. */
  public record InsightRejected(String reviewId, Review.Decision decision, Instant at) implements Event {}

  /**
   * The incident ended.
   *
   * @param outcome {@code resolved} (after the insight), {@code self-resolved} (before it) or {@code cancelled};
   *     an insight a reviewer rejected closes its incident with {@link InsightRejected} and outcome {@code rejected}
   */
  public record IncidentClosed(String outcome, String reason, Instant at) implements Event {}

  // ---- wiring ----

  private final String incidentId;
  private final IncidentServices services;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;

  /** Commands handed to the dispatcher by this incarnation; not persisted, so a recovery dispatches again. */
  private final Set<String> dispatched = new HashSet<>();

  /** The step whose decision is being computed, or 0. Not persisted, so a recovery requests it again. */
  private int decisionInFlight;

  private boolean deliveryInFlight;

  /** Whether the judge is checking the insight. Not persisted, so a recovery in phase JUDGING judges again. */
  private boolean judgingInFlight;

  /** Whether a review submission awaits the queue's confirmation. Not persisted, so a recovery submits again. */
  private boolean reviewSubmitInFlight;

  private Incident(
      String incidentId, IncidentServices services, ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), incidentId), JournalBackoff.strategy(context.getSystem()));
    this.incidentId = incidentId;
    this.services = services;
    this.context = context;
    this.timers = timers;
  }

  public static Behavior<Command> create(String incidentId, IncidentServices services) {
    return Behaviors.withTimers(
        timers -> Behaviors.setup(context -> new Incident(incidentId, services, context, timers)));
  }

  /** Registers the incident entity with cluster sharding on this node. */
  public static void init(org.apache.pekko.actor.typed.ActorSystem<?> system, IncidentServices services) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId(), services)));
  }

  @Override
  public IncidentState emptyState() {
    return IncidentState.empty(incidentId);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof Opened) {
      return Set.of(OPENED_TAG);
    }
    if (event instanceof InsightHeld) {
      return Set.of(FINISHED_TAG, REVIEW_REQUESTED_TAG);
    }
    if (event instanceof InsightDelivered) {
      return Set.of(FINISHED_TAG, DELIVERED_TAG);
    }
    if (event instanceof IncidentClosed) {
      return Set.of(FINISHED_TAG);
    }
    if (event instanceof SampledForReview) {
      return Set.of(REVIEW_REQUESTED_TAG);
    }
    if (event instanceof ReviewEnqueued) {
      return Set.of(REVIEW_ENQUEUED_TAG);
    }
    if (event instanceof InsightReleased) {
      return Set.of(RELEASED_TAG);
    }
    return Set.of();
  }

  // ---- commands ----

  @Override
  public CommandHandler<Command, Event, IncidentState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(ReceiveAlert.class, this::onReceiveAlert)
        .onCommand(Resolve.class, this::onResolve)
        .onCommand(GetDetails.class, (state, command) -> Effect().reply(command.replyTo(), state))
        .onCommand(Wake.class, (state, command) -> Effect().none())
        .onCommand(CommandFinished.class, this::onCommandFinished)
        .onCommand(BrainDecided.class, this::onBrainDecided)
        .onCommand(BrainFailed.class, this::onBrainFailed)
        .onCommand(DeadlineReached.class, this::onDeadlineReached)
        .onCommand(RetryDispatch.class, (state, command) -> onRetryDispatch(state))
        .onCommand(DeliveryDone.class, this::onDeliveryDone)
        .onCommand(DeliveryFailed.class, this::onDeliveryFailed)
        .onCommand(RetryDelivery.class, (state, command) -> onRetryDelivery(state))
        .onCommand(RunJudge.class, (state, command) -> onRunJudge(state))
        .onCommand(JudgeDecided.class, (state, command) -> onJudged(state, command.verdict()))
        .onCommand(JudgeFailed.class, this::onJudgeFailed)
        .onCommand(ApplyReview.class, this::onApplyReview)
        .onCommand(SampleForReview.class, (state, command) -> onSampleForReview(state))
        .onCommand(ReviewSubmitted.class, this::onReviewSubmitted)
        .onCommand(ReviewSubmitFailed.class, this::onReviewSubmitFailed)
        .onCommand(RetryReviewSubmit.class, (state, command) -> {
          reviewStep(state);
          return Effect().none();
        })
        .build();
  }

  private Effect<Event, IncidentState> onReceiveAlert(IncidentState state, ReceiveAlert command) {
    Instant now = services.clock().instant();
    Alert alert = command.alert();

    if (state.phase() == IncidentState.Phase.EMPTY) {
      context.getLog().info("incident [{}] opened on host [{}] for alert [{}]", incidentId, alert.host(), alert.kind());
      return Effect()
          .persist(new Opened(incidentId, alert, now))
          .thenRun(this::advance)
          .thenReply(command.replyTo(), s -> new IngestReply.Accepted(incidentId, "opened"));
    }
    if (state.deliveryKeys().contains(alert.deliveryKey())) {
      return Effect()
          .persist(new HeartbeatReceived(alert.deliveryKey(), now))
          .thenReply(command.replyTo(), s -> new IngestReply.Accepted(incidentId, "heartbeat"));
    }
    if (state.concluded()) {
      return Effect().reply(command.replyTo(), new IngestReply.AlreadyConcluded(incidentId));
    }
    return Effect()
        .persist(new AlertAttached(alert, now))
        .thenReply(command.replyTo(), s -> new IngestReply.Accepted(incidentId, "attached"));
  }

  private Effect<Event, IncidentState> onResolve(IncidentState state, Resolve command) {
    if (state.phase() == IncidentState.Phase.EMPTY) {
      return Effect().reply(command.replyTo(), new IngestReply.Accepted("", "no-open-incident"));
    }
    if (state.phase() == IncidentState.Phase.CLOSED) {
      return Effect().reply(command.replyTo(), new IngestReply.Accepted(incidentId, "resolved"));
    }
    boolean beforeInsight = !state.concluded() && state.phase() != IncidentState.Phase.JUDGING;
    String outcome = beforeInsight ? "self-resolved" : "resolved";
    context.getLog().info("incident [{}] on host [{}] closed: alert resolved ({})", incidentId, state.host(), outcome);
    return Effect()
        .persist(new IncidentClosed(outcome, "resolved notification received", services.clock().instant()))
        .thenRun(this::notifyFinished)
        .thenReply(command.replyTo(), s -> new IngestReply.Accepted(incidentId, "resolved"));
  }

  private Effect<Event, IncidentState> onCommandFinished(IncidentState state, CommandFinished command) {
    CommandResult result = command.result();
    dispatched.remove(result.commandId());
    if (!state.isPending(result.commandId()) || !state.investigating()) {
      context.getLog().debug("incident [{}]: ignoring result of command [{}] that is not pending", incidentId, result.commandId());
      replyRecorded(command);
      return Effect().none();
    }
    AUDIT.info(
        "incident={} host={} command={} status={} exit={} durationMs={}",
        incidentId, result.host(), result.commandId(), result.status(), result.exitCode(), result.durationMillis());
    return Effect()
        .persist(new CommandCompleted(result, services.clock().instant()))
        .thenRun(this::advance)
        .thenRun(persisted -> replyRecorded(command));
  }

  private static void replyRecorded(CommandFinished command) {
    if (command.replyTo() != null) {
      command.replyTo().tell(new ResultRecorded(command.result().commandId()));
    }
  }

  private Effect<Event, IncidentState> onBrainDecided(IncidentState state, BrainDecided command) {
    if (command.step() != decisionInFlight) {
      return Effect().none();
    }
    decisionInFlight = 0;
    if (!state.investigating()) {
      return Effect().none();
    }

    if (command.decision() instanceof Brain.Conclude conclude) {
      boolean fellBack = state.turns().stream().anyMatch(ModelTurn::fallback)
          || (conclude.turn() != null && conclude.turn().fallback());
      String brainName = fellBack ? "playbook (fallback from " + services.brain().name() + ")" : services.brain().name();
      Insight insight = state.toInsight(conclude.draft(), brainName, services.clock().instant(),
          usage(state, conclude.turn()));
      context.getLog().info(
          "incident [{}] on host [{}]: investigation concluded after [{}] steps, status [{}]",
          incidentId, state.host(), state.steps(), insight.status());
      return Effect()
          .persist(new InvestigationConcluded(insight, conclude.turn(), services.clock().instant()))
          .thenRun(this::advance);
    }

    Brain.RunCommands run = (Brain.RunCommands) command.decision();
    int step = state.steps() + 1;
    List<TranscriptEntry> entries = planEntries(state, step, run.commands());
    return Effect()
        .persist(new StepPlanned(step, run.rationale(), entries, run.turn(), services.clock().instant()))
        .thenRun(this::advance);
  }

  /** Model use including the concluding turn, priced by the brain. */
  private Insight.Usage usage(IncidentState state, ModelTurn last) {
    int turns = state.modelTurns();
    long input = state.inputTokens();
    long output = state.outputTokens();
    if (last != null && !last.fallback()) {
      turns++;
      input += last.inputTokens();
      output += last.outputTokens();
    }
    if (turns == 0) {
      return Insight.Usage.NONE;
    }
    return new Insight.Usage(turns, input, output, services.brain().estimatedCostUsd(input, output));
  }

  /**
   * Checks each planned command against the policy and the command budget. A command identical to
   * one that already completed in this incident is answered from the transcript, not run again.
   */
  private List<TranscriptEntry> planEntries(IncidentState state, int step, List<Brain.PlannedCommand> planned) {
    List<TranscriptEntry> entries = new ArrayList<>();
    int budgetLeft = services.settings().maxCommands() - state.commandsPlanned();
    int index = 0;
    for (Brain.PlannedCommand command : planned) {
      index++;
      String commandId = incidentId + ":" + step + "." + index;
      java.util.Optional<TranscriptEntry> earlier = state.completedRun(command.analyzer(), command.argv());
      if (command.rejection().isEmpty() && earlier.isPresent()) {
        TranscriptEntry done = earlier.get();
        entries.add(new TranscriptEntry(step, commandId, command.analyzer(), command.argv(), command.purpose(),
            done.status(), done.exitCode(), 0, done.output(), done.truncated(),
            "same command as [" + done.commandId() + "], answered from the transcript", done.findings()));
        continue;
      }
      String rejection = command.rejection();
      if (!rejection.isEmpty()) {
        rejection = "invalid tool call: " + rejection;
      } else if (budgetLeft <= 0) {
        rejection = "command budget of " + services.settings().maxCommands() + " commands is used up";
      } else {
        var verdict = services.policy().check(command.argv());
        if (!verdict.allowed()) {
          rejection = verdict.reason();
        }
      }

      if (rejection.isEmpty()) {
        budgetLeft--;
        entries.add(new TranscriptEntry(step, commandId, command.analyzer(), command.argv(), command.purpose(),
            TranscriptEntry.PENDING, -1, 0, "", false, "", emptyFindings()));
      } else {
        AUDIT.info("incident={} host={} command={} status=rejected argv={} reason={}",
            incidentId, state.host(), commandId, command.argv(), rejection);
        context.getLog().warn("incident [{}] on host [{}]: command [{}] rejected: {}",
            incidentId, state.host(), command.argv(), rejection);
        entries.add(new TranscriptEntry(step, commandId, command.analyzer(), command.argv(), command.purpose(),
            TranscriptEntry.REJECTED, -1, 0, "", false, rejection, emptyFindings()));
      }
    }
    return entries;
  }

  private Effect<Event, IncidentState> onBrainFailed(IncidentState state, BrainFailed command) {
    if (command.step() != decisionInFlight) {
      return Effect().none();
    }
    decisionInFlight = 0;
    context.getLog().error("incident [{}] on host [{}]: brain failed at step [{}]: {}",
        incidentId, state.host(), command.step(), command.reason());
    if (!state.investigating()) {
      return Effect().none();
    }
    Insight insight = state.toInsight(
        IncidentState.failedDraft("The investigation stopped because the brain failed: " + command.reason()),
        services.brain().name(), services.clock().instant(), usage(state, null));
    return Effect().persist(new InvestigationConcluded(insight, null, services.clock().instant())).thenRun(this::advance);
  }

  private Effect<Event, IncidentState> onDeadlineReached(IncidentState state, DeadlineReached command) {
    if (state.investigating()) {
      context.getLog().warn("incident [{}] on host [{}]: time budget of [{}] used up, concluding with what there is",
          incidentId, state.host(), services.settings().maxDuration());
      requestDecision(state, true);
    }
    return Effect().none();
  }

  private Effect<Event, IncidentState> onRetryDispatch(IncidentState state) {
    if (state.investigating()) {
      dispatchPending(state);
    }
    return Effect().none();
  }

  private Effect<Event, IncidentState> onDeliveryDone(IncidentState state, DeliveryDone command) {
    deliveryInFlight = false;
    if (state.delivered()) {
      return Effect().none();
    }
    context.getLog().info("incident [{}] on host [{}]: insight delivered", incidentId, state.host());
    return Effect().persist(new InsightDelivered(services.clock().instant())).thenRun(this::notifyFinished);
  }

  private Effect<Event, IncidentState> onDeliveryFailed(IncidentState state, DeliveryFailed command) {
    deliveryInFlight = false;
    Duration retry = services.settings().deliveryRetry();
    context.getLog().warn("incident [{}] on host [{}]: insight delivery failed, retrying in [{}]: {}",
        incidentId, state.host(), retry, command.reason());
    timers.startSingleTimer("delivery", new RetryDelivery("delivery failed"), retry);
    return Effect().none();
  }

  private Effect<Event, IncidentState> onRetryDelivery(IncidentState state) {
    advance(state);
    return Effect().none();
  }

  /**
   * Starts the judge on the blocking executor, because a model judge makes HTTP calls; its verdict
   * comes back as {@link JudgeDecided}, or as {@link JudgeFailed} when it throws or exceeds the judge
   * timeout. A second request while the judge runs is ignored.
   */
  private Effect<Event, IncidentState> onRunJudge(IncidentState state) {
    if (!state.awaitingVerdict() || judgingInFlight) {
      return Effect().none();
    }
    judgingInFlight = true;
    Insight insight = state.insight();
    List<TranscriptEntry> transcript = state.transcript();
    Duration timeout = services.settings().judgeTimeout();
    CompletableFuture<Judge.Verdict> verdict = CompletableFuture
        .supplyAsync(() -> services.judge().judge(insight, transcript), services.blockingExecutor())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    context.pipeToSelf(verdict, (result, failure) -> {
      if (failure == null) {
        return new JudgeDecided(result);
      }
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
          ? failure.getCause()
          : failure;
      return new JudgeFailed(cause instanceof java.util.concurrent.TimeoutException
          ? "no verdict within " + timeout
          : String.valueOf(cause));
    });
    return Effect().none();
  }

  private Effect<Event, IncidentState> onJudgeFailed(IncidentState state, JudgeFailed command) {
    if (!state.awaitingVerdict()) {
      judgingInFlight = false;
      return Effect().none();
    }
    context.getLog().error("incident [{}] on host [{}]: the judge failed: {}", incidentId, state.host(), command.reason());
    return onJudged(state, services.judge().failed(state.insight(), state.transcript(), command.reason()));
  }

  private Effect<Event, IncidentState> onJudged(IncidentState state, Judge.Verdict verdict) {
    judgingInFlight = false;
    if (!state.awaitingVerdict()) {
      context.getLog().info("incident [{}]: ignoring the verdict of judge [{}], the incident is [{}] now",
          incidentId, verdict.judge(), state.phase());
      return Effect().none();
    }
    context.getLog().info("incident [{}] on host [{}]: judge [{}] {} the insight: {}",
        incidentId, state.host(), verdict.judge(), verdict.publish() ? "passed" : "held", verdict.reasons());
    if (verdict.publish()) {
      return Effect().persist(new InsightPublished(verdict, services.clock().instant())).thenRun(this::advance);
    }
    return Effect().persist(new InsightHeld(verdict, services.clock().instant())).thenRun(this::notifyFinished);
  }

  // ---- human review ----

  private Effect<Event, IncidentState> onSampleForReview(IncidentState state) {
    if (state.review().requested()) {
      reviewStep(state);
      return Effect().none();
    }
    ReviewSampler.Decision sample = services.reviews().sampler().decide(incidentId, state.insight(), state.verdict());
    if (!sample.sampled()) {
      return Effect().none();
    }
    context.getLog().info("incident [{}] on host [{}]: published insight {} for review",
        incidentId, state.host(), sample.reason());
    return Effect()
        .persist(new SampledForReview(sample.reason(), services.clock().instant()))
        .thenRun(this::reviewStep);
  }

  /**
   * Takes the next review action the state calls for: requests a sampling decision on a published
   * insight, or submits a review the queue has not confirmed yet. Safe to call more than once.
   */
  private void reviewStep(IncidentState state) {
    if (state.verdict() == null || state.insight() == null) {
      return;
    }
    IncidentState.ReviewStatus review = state.review();
    if (!review.requested()) {
      if (state.verdict().publish()) {
        context.getSelf().tell(new SampleForReview("insight published"));
      }
      return;
    }
    if (review.enqueued() || reviewSubmitInFlight) {
      return;
    }
    reviewSubmitInFlight = true;
    Review submission = new Review(incidentId, incidentId, state.host(), state.alert().kind(),
        ReviewSampler.useCase(state.insight()), !state.verdict().publish(), review.reason(),
        state.insight().summary(), state.verdict(), services.clock().instant(), null, null, false);
    CompletionStage<?> submitted;
    try {
      submitted = services.reviews().submit().apply(submission);
    } catch (RuntimeException e) {
      submitted = CompletableFuture.failedFuture(e);
    }
    context.pipeToSelf(submitted, (ok, failure) -> failure == null
        ? new ReviewSubmitted("queue confirmed")
        : new ReviewSubmitFailed(String.valueOf(failure)));
  }

  private Effect<Event, IncidentState> onReviewSubmitted(IncidentState state, ReviewSubmitted command) {
    reviewSubmitInFlight = false;
    if (state.review().enqueued()) {
      return Effect().none();
    }
    context.getLog().info("incident [{}] on host [{}]: insight queued for review ({})",
        incidentId, state.host(), state.review().reason());
    return Effect().persist(new ReviewEnqueued(services.clock().instant()));
  }

  private Effect<Event, IncidentState> onReviewSubmitFailed(IncidentState state, ReviewSubmitFailed command) {
    reviewSubmitInFlight = false;
    Duration retry = services.reviews().retry();
    context.getLog().warn("incident [{}] on host [{}]: the review queue did not confirm the insight, retrying in [{}]: {}",
        incidentId, state.host(), retry, command.reason());
    timers.startSingleTimer("review-submit", new RetryReviewSubmit("queue did not confirm"), retry);
    return Effect().none();
  }

  private Effect<Event, IncidentState> onApplyReview(IncidentState state, ApplyReview command) {
    if (state.review().decision() != null) {
      return Effect().reply(command.replyTo(), new ReviewApplied(incidentId, "already-decided"));
    }
    if (state.verdict() == null || state.verdict().publish()) {
      context.getLog().warn("incident [{}]: ignoring verdict of review [{}]: the judge did not hold this insight",
          incidentId, command.reviewId());
      return Effect().reply(command.replyTo(), new ReviewApplied(incidentId, "not-held"));
    }
    Review.Decision decision = command.decision();
    Instant now = services.clock().instant();
    if (Review.RELEASING.contains(decision.verdict())) {
      context.getLog().info("incident [{}] on host [{}]: reviewer [{}] released the held insight ({})",
          incidentId, state.host(), decision.reviewer(), decision.verdict());
      return Effect()
          .persist(new InsightReleased(command.reviewId(), decision, now))
          .thenRun(this::advance)
          .thenReply(command.replyTo(), s -> new ReviewApplied(incidentId, "released"));
    }
    context.getLog().info("incident [{}] on host [{}]: reviewer [{}] rejected the held insight ({})",
        incidentId, state.host(), decision.reviewer(), decision.verdict());
    return Effect()
        .persist(new InsightRejected(command.reviewId(), decision, now))
        .thenReply(command.replyTo(), s -> new ReviewApplied(incidentId, "rejected"));
  }

  // ---- driving the investigation ----

  /** Takes the next action the state calls for. Safe to call more than once: every action is guarded. */
  private void advance(IncidentState state) {
    switch (state.phase()) {
      case OPEN, INVESTIGATING -> {
        startDeadlineTimer(state);
        if (state.pendingCount() == 0) {
          requestDecision(state, false);
        } else {
          dispatchPending(state);
        }
      }
      case JUDGING -> context.getSelf().tell(new RunJudge("investigation concluded"));
      case PUBLISHED -> {
        // The sampling decision is requested first, so it is persisted before the delivery is.
        reviewStep(state);
        deliver(state);
      }
      case AWAITING_REVIEW -> reviewStep(state);
      case CLOSED -> {
        // Resolved while the insight was judged or on its way: it is still judged and delivered.
        if (state.awaitingVerdict()) {
          context.getSelf().tell(new RunJudge("alert resolved while the judge ran"));
        }
        reviewStep(state);
        if (state.deliverable()) {
          deliver(state);
        }
      }
      default -> { }
    }
  }

  private void startDeadlineTimer(IncidentState state) {
    if (timers.isTimerActive("deadline")) {
      return;
    }
    Instant deadline = state.openedAt().plus(services.settings().maxDuration());
    Duration remaining = Duration.between(services.clock().instant(), deadline);
    timers.startSingleTimer("deadline", new DeadlineReached("time budget"), remaining.isNegative() ? Duration.ZERO : remaining);
  }

  private void requestDecision(IncidentState state, boolean forceConclusion) {
    int step = state.steps() + 1;
    if (decisionInFlight == step && !forceConclusion) {
      return;
    }
    String concludeReason = conclusionReason(state, forceConclusion);
    Brain.View view = new Brain.View(incidentId, state.alert(), state.transcript(), state.steps(),
        !concludeReason.isEmpty(), concludeReason, state.turns());

    decisionInFlight = step;
    Duration timeout = services.settings().brainTimeout();
    CompletableFuture<Brain.Decision> decision = CompletableFuture
        .supplyAsync(() -> services.brain().decide(view), services.blockingExecutor())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    context.pipeToSelf(decision, (result, failure) -> {
      if (failure != null) {
        String reason = failure instanceof java.util.concurrent.TimeoutException
            || failure.getCause() instanceof java.util.concurrent.TimeoutException
            ? "no decision within " + timeout
            : String.valueOf(failure.getCause() != null ? failure.getCause() : failure);
        return new BrainFailed(step, reason);
      }
      return new BrainDecided(step, result);
    });
  }

  private String conclusionReason(IncidentState state, boolean forceConclusion) {
    IncidentSettings settings = services.settings();
    if (forceConclusion || !services.clock().instant().isBefore(state.openedAt().plus(settings.maxDuration()))) {
      return "the time budget of " + settings.maxDuration().toSeconds() + " s was used up";
    }
    if (state.steps() >= settings.maxSteps()) {
      return "the step budget of " + settings.maxSteps() + " steps was used up";
    }
    if (state.commandsPlanned() >= settings.maxCommands()) {
      return "the command budget of " + settings.maxCommands() + " commands was used up";
    }
    if (state.modelTurns() >= settings.maxModelTurns()) {
      return "the budget of " + settings.maxModelTurns() + " model turns was used up";
    }
    if (state.inputTokens() >= settings.maxInputTokens()) {
      return "the budget of " + settings.maxInputTokens() + " input tokens was used up";
    }
    if (state.outputTokens() >= settings.maxOutputTokens()) {
      return "the budget of " + settings.maxOutputTokens() + " output tokens was used up";
    }
    return "";
  }

  private void dispatchPending(IncidentState state) {
    boolean queueFull = false;
    for (TranscriptEntry entry : state.transcript()) {
      if (!entry.status().equals(TranscriptEntry.PENDING) || dispatched.contains(entry.commandId())) {
        continue;
      }
      CommandRequest request = new CommandRequest(entry.commandId(), incidentId, state.host(), entry.argv(),
          entry.analyzer(), null, entry.purpose(), services.settings().commandTimeout());
      boolean accepted = services.dispatcher().dispatch(request, services.resultRoute());
      if (!accepted) {
        queueFull = true;
        break;
      }
      dispatched.add(entry.commandId());
      AUDIT.info("incident={} host={} command={} status=dispatched argv={}",
          incidentId, state.host(), entry.commandId(), entry.argv());
    }
    if (queueFull) {
      Duration retry = services.settings().dispatchRetry();
      context.getLog().warn("incident [{}] on host [{}]: command queue full, retrying dispatch in [{}]",
          incidentId, state.host(), retry);
      timers.startSingleTimer("dispatch", new RetryDispatch("queue full"), retry);
    }
  }

  private void deliver(IncidentState state) {
    if (state.delivered() || deliveryInFlight) {
      return;
    }
    deliveryInFlight = true;
    context.pipeToSelf(
        services.sink().publish(state.insight()),
        (ok, failure) -> failure == null ? new DeliveryDone("published") : new DeliveryFailed(String.valueOf(failure)));
  }

  private void notifyFinished(IncidentState state) {
    timers.cancel("deadline");
    services.onFinished().accept(state.alert().dedupKey(), incidentId);
    reviewStep(state);
  }

  private static com.fasterxml.jackson.databind.JsonNode emptyFindings() {
    return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
  }

  // ---- recovery ----

  @Override
  public SignalHandler<IncidentState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.phase() == IncidentState.Phase.EMPTY) {
            return;
          }
          if (state.investigating() || state.phase() == IncidentState.Phase.JUDGING
              || (state.phase() == IncidentState.Phase.PUBLISHED && !state.delivered())
              || (state.review().requested() && !state.review().enqueued())) {
            context.getLog().info("incident [{}] on host [{}] recovered in phase [{}], resuming",
                incidentId, state.host(), state.phase());
          }
          advance(state);
        })
        .build();
  }

  // ---- events ----

  @Override
  public EventHandler<IncidentState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Opened.class, (state, event) -> state.opened(event.alert(), event.at()))
        .onEvent(AlertAttached.class, (state, event) -> state.attached(event.alert(), services.settings().maxAttachedAlerts()))
        .onEvent(HeartbeatReceived.class, (state, event) -> state.heartbeat())
        .onEvent(StepPlanned.class, (state, event) -> state.stepPlanned(event.entries(), event.turn()))
        .onEvent(CommandCompleted.class, (state, event) -> state.commandCompleted(event.result()))
        .onEvent(InvestigationConcluded.class,
            (state, event) -> state.concludedInvestigation(event.insight(), event.turn(), event.at()))
        .onEvent(InsightPublished.class, (state, event) -> state.published(event.verdict()))
        .onEvent(InsightHeld.class, (state, event) -> state.held(event.verdict()))
        .onEvent(InsightDelivered.class, (state, event) -> state.markDelivered(event.at()))
        .onEvent(IncidentClosed.class, (state, event) -> state.closed(event.outcome(), event.reason(), event.at()))
        .onEvent(SampledForReview.class, (state, event) -> state.sampledForReview(event.reason()))
        .onEvent(ReviewEnqueued.class, (state, event) -> state.reviewEnqueued())
        .onEvent(InsightReleased.class, (state, event) -> state.released(event.reviewId(), event.decision()))
        .onEvent(InsightRejected.class,
            (state, event) -> state.rejected(event.reviewId(), event.decision(), event.at()))
        .build();
  }
}
