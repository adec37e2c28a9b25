package actors;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The human review queue: every insight the judge held, and a sample of the published ones
 * ({@link ReviewSampler}). Reviewers list, claim and decide reviews over HTTP. A verdict on a held
 * insight is sent to its incident through sharding until the incident confirms it. The incident
 * then releases or rejects the insight.
 *
 * <p>The queue runs as a cluster singleton, not as sharded entities: listing and filtering need
 * every open review in one place, and at the volume of held plus sampled insights (each kept as a
 * summary, without transcript) one actor holds them easily. A singleton also stays running, so
 * verdicts that still have to reach their incidents are re-sent on timers without a message from
 * outside. The cost is one node's throughput and a short gap while the singleton moves after a
 * node leaves; requests in that gap time out and are retried by their callers.
 *
 * <p>The state is snapshotted every {@code snapshot-every} events and older events are deleted.
 * Finished reviews beyond {@code retention.max-finished} are dropped, oldest first, once their
 * verdict has reached the incident; the agreement counts keep them.
 */
public final class ReviewQueue extends EventSourcedBehavior<ReviewQueue.Command, ReviewQueue.Event, ReviewQueue.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("ReviewQueue");

  // ---- protocol ----

  /** Messages the queue handles. */
  public sealed interface Command extends JsonSerializable {}

  /** Adds a review unless one with its id exists; replies either way, so incidents may retry freely. */
  public record Submit(Review review, ActorRef<Submitted> replyTo) implements Command {}

  /** @param created false when the review was already in the queue */
  public record Submitted(String reviewId, boolean created) implements JsonSerializable {}

  /**
   * Lists reviews, oldest first.
   *
   * @param status {@code pending}, {@code claimed}, {@code decided}, or empty for all
   * @param useCase only reviews of this use case, or empty for all
   * @param limit most reviews returned
   */
  public record ListReviews(String status, String useCase, int limit, ActorRef<ReviewList> replyTo)
      implements Command {}

  /** @param matched reviews that matched the filters, of which {@code reviews} contains the first {@code limit} */
  public record ReviewList(List<Review> reviews, int matched) implements JsonSerializable {}

  public record GetReview(String reviewId, ActorRef<ReviewReply> replyTo) implements Command {}

  /** Claims a review for a reviewer; the same reviewer claiming again renews the claim. */
  public record ClaimReview(String reviewId, String reviewer, ActorRef<ReviewReply> replyTo) implements Command {}

  /** Records a reviewer's verdict. A reviewer needs no claim, but no other reviewer may have an unexpired one. */
  public record DecideReview(String reviewId, String reviewer, String verdict, String notes, List<String> labels,
      ActorRef<ReviewReply> replyTo) implements Command {}

  public record GetAgreement(ActorRef<AgreementReport> replyTo) implements Command {}

  /** Agreement between the judge and the reviewers, per use case. */
  public record AgreementReport(Map<String, Agreement> byUseCase) implements JsonSerializable {}

  /** The outcome of a request about one review. */
  public enum Result { OK, NOT_FOUND, CONFLICT, INVALID }

  /** @param message why the request failed, empty on success */
  public record ReviewReply(Result result, Review review, String message) implements JsonSerializable {}

  private record ApplyConfirmed(String reviewId) implements Command {}

  private record ApplyFailed(String reviewId, String reason) implements Command {}

  private record RetryApply(String reviewId) implements Command {}

  /** Queue events. */
  public sealed interface Event extends JsonSerializable {}

  public record ReviewSubmitted(Review review) implements Event {}

  public record ReviewClaimed(String reviewId, Review.Claim claim) implements Event {}

  public record ReviewDecided(String reviewId, Review.Decision decision) implements Event {}

  /** The incident of a held insight confirmed the reviewer's verdict. */
  public record DecisionApplied(String reviewId, Instant at) implements Event {}

  /** Counts of reviews where the judge and the reviewer agreed or not. */
  public record Agreement(long agree, long disagree) implements JsonSerializable {
    public static final Agreement NONE = new Agreement(0, 0);

    Agreement plus(boolean agrees) {
      return agrees ? new Agreement(agree + 1, disagree) : new Agreement(agree, disagree + 1);
    }

    /** Returns the share of reviews in agreement, or NaN before the first review. */
    public double ratio() {
      long total = agree + disagree;
      return total == 0 ? Double.NaN : (double) agree / total;
    }
  }

  /**
   * The queue's state.
   *
   * @param reviews every review kept, by id, in the order they were submitted
   * @param finished ids of decided reviews, in the order they were decided
   * @param agreement agreement counts per use case, over every decision ever made
   */
  public record State(Map<String, Review> reviews, List<String> finished, Map<String, Agreement> agreement)
      implements JsonSerializable {

    public State {
      reviews = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reviews));
      finished = List.copyOf(finished);
      agreement = java.util.Collections.unmodifiableMap(new TreeMap<>(agreement));
    }

    static final State EMPTY = new State(Map.of(), List.of(), Map.of());

    State with(Review review) {
      Map<String, Review> all = new LinkedHashMap<>(reviews);
      all.put(review.reviewId(), review);
      return new State(all, finished, agreement);
    }

    State decided(Review review) {
      List<String> done = new ArrayList<>(finished);
      done.add(review.reviewId());
      Map<String, Agreement> counts = new TreeMap<>(agreement);
      counts.merge(review.useCase(), Agreement.NONE.plus(review.decision().agrees()),
          (old, one) -> old.plus(review.decision().agrees()));
      return new State(with(review).reviews(), done, counts);
    }

    /** Drops the oldest finished reviews beyond {@code maxFinished}, skipping any verdict not yet applied. */
    State pruned(int maxFinished) {
      if (finished.size() <= maxFinished) {
        return this;
      }
      Map<String, Review> all = new LinkedHashMap<>(reviews);
      List<String> done = new ArrayList<>(finished);
      var it = done.iterator();
      int excess = done.size() - maxFinished;
      while (it.hasNext() && excess > 0) {
        String id = it.next();
        Review review = all.get(id);
        if (review == null || !review.awaitsApply()) {
          all.remove(id);
          it.remove();
          excess--;
        }
      }
      return new State(all, done, agreement);
    }
  }

  // ---- wiring ----

  private final ReviewSettings settings;
  private final Clock clock;
  private final Function<Review, CompletionStage<?>> applyDecision;
  private final Consumer<Map<String, Agreement>> onAgreement;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Set<String> applying = new java.util.HashSet<>();

  private ReviewQueue(PersistenceId persistenceId, ReviewSettings settings, Clock clock,
      Function<Review, CompletionStage<?>> applyDecision, Consumer<Map<String, Agreement>> onAgreement,
      ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(persistenceId, JournalBackoff.strategy(context.getSystem()));
    this.settings = settings;
    this.clock = clock;
    this.applyDecision = applyDecision;
    this.onAgreement = onAgreement;
    this.context = context;
    this.timers = timers;
  }

  /**
   * Creates the queue behaviour.
   *
   * @param applyDecision sends a decided held review to its incident; completes when the incident confirmed it
   * @param onAgreement receives the agreement counts after recovery and after every decision
   */
  public static Behavior<Command> create(ReviewSettings settings, Clock clock,
      Function<Review, CompletionStage<?>> applyDecision, Consumer<Map<String, Agreement>> onAgreement) {
    return create(PERSISTENCE_ID, settings, clock, applyDecision, onAgreement);
  }

  /** Creates a queue under another persistence id, so that tests sharing one journal do not share a queue. */
  static Behavior<Command> create(PersistenceId persistenceId, ReviewSettings settings, Clock clock,
      Function<Review, CompletionStage<?>> applyDecision, Consumer<Map<String, Agreement>> onAgreement) {
    return Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new ReviewQueue(persistenceId, settings, clock, applyDecision, onAgreement, context, timers)));
  }

  /** Starts the queue as a cluster singleton (on the oldest node) and returns a proxy to it that works on every node. */
  public static ActorRef<Command> init(ActorSystem<?> system, ReviewSettings settings, Clock clock,
      Function<Review, CompletionStage<?>> applyDecision, Consumer<Map<String, Agreement>> onAgreement) {
    Behavior<Command> behavior = Behaviors.supervise(create(settings, clock, applyDecision, onAgreement))
        .onFailure(JournalBackoff.strategy(system));
    return ClusterSingleton.get(system).init(SingletonActor.of(behavior, "review-queue"));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots())
        .withDeleteEventsOnSnapshot();
  }

  // ---- commands ----

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Submit.class, this::onSubmit)
        .onCommand(ListReviews.class, this::onList)
        .onCommand(GetReview.class, (state, command) -> Effect().reply(command.replyTo(), lookup(state, command.reviewId())))
        .onCommand(ClaimReview.class, this::onClaim)
        .onCommand(DecideReview.class, this::onDecide)
        .onCommand(GetAgreement.class, (state, command) ->
            Effect().reply(command.replyTo(), new AgreementReport(state.agreement())))
        .onCommand(ApplyConfirmed.class, this::onApplyConfirmed)
        .onCommand(ApplyFailed.class, this::onApplyFailed)
        .onCommand(RetryApply.class, (state, command) -> {
          Review review = state.reviews().get(command.reviewId());
          if (review != null && review.awaitsApply()) {
            apply(review);
          }
          return Effect().none();
        })
        .build();
  }

  private Effect<Event, State> onSubmit(State state, Submit command) {
    String id = command.review().reviewId();
    // NOTE: a review dropped by retention is not remembered, so a late resubmission would queue it again.
    // Incidents stop resubmitting once they persist ReviewEnqueued, which bounds this to a lost confirmation.
    if (state.reviews().containsKey(id)) {
      context.getLog().debug("review [{}] submitted again; it is already in the queue", id);
      return Effect().reply(command.replyTo(), new Submitted(id, false));
    }
    Review review = command.review();
    context.getLog().info("review [{}] queued for incident [{}], use case [{}]: {}",
        id, review.incidentId(), review.useCase(), review.reason());
    return Effect()
        .persist(new ReviewSubmitted(review))
        .thenReply(command.replyTo(), s -> new Submitted(id, true));
  }

  private Effect<Event, State> onList(State state, ListReviews command) {
    Instant now = clock.instant();
    List<Review> matching = state.reviews().values().stream()
        .filter(r -> command.status().isEmpty() || r.status(now).equals(command.status()))
        .filter(r -> command.useCase().isEmpty() || r.useCase().equals(command.useCase()))
        .toList();
    List<Review> page = matching.subList(0, Math.min(command.limit(), matching.size()));
    return Effect().reply(command.replyTo(), new ReviewList(List.copyOf(page), matching.size()));
  }

  private static ReviewReply lookup(State state, String reviewId) {
    Review review = state.reviews().get(reviewId);
    return review == null
        ? new ReviewReply(Result.NOT_FOUND, null, "review [" + reviewId + "] not found")
        : new ReviewReply(Result.OK, review, "");
  }

  private Effect<Event, State> onClaim(State state, ClaimReview command) {
    Review review = state.reviews().get(command.reviewId());
    if (review == null) {
      return Effect().reply(command.replyTo(), lookup(state, command.reviewId()));
    }
    Instant now = clock.instant();
    Optional<ReviewReply> conflict = conflict(review, command.reviewer(), now);
    if (conflict.isPresent()) {
      return Effect().reply(command.replyTo(), conflict.get());
    }
    Review.Claim claim = new Review.Claim(command.reviewer(), now, now.plus(settings.claimTimeout()));
    context.getLog().info("review [{}] claimed by [{}] until [{}]", review.reviewId(), command.reviewer(),
        claim.expiresAt());
    return Effect()
        .persist(new ReviewClaimed(review.reviewId(), claim))
        .thenReply(command.replyTo(), s -> new ReviewReply(Result.OK, s.reviews().get(review.reviewId()), ""));
  }

  private Effect<Event, State> onDecide(State state, DecideReview command) {
    Review review = state.reviews().get(command.reviewId());
    if (review == null) {
      return Effect().reply(command.replyTo(), lookup(state, command.reviewId()));
    }
    if (!Review.VERDICTS.contains(command.verdict())) {
      return Effect().reply(command.replyTo(), new ReviewReply(Result.INVALID, review,
          "invalid verdict [" + command.verdict() + "]; expected one of " + String.join(", ", Review.VERDICTS)));
    }
    Instant now = clock.instant();
    Optional<ReviewReply> conflict = conflict(review, command.reviewer(), now);
    if (conflict.isPresent()) {
      return Effect().reply(command.replyTo(), conflict.get());
    }
    boolean agrees = Review.agrees(review.verdict().publish(), command.verdict());
    Review.Decision decision = new Review.Decision(command.verdict(), command.reviewer(), command.notes(),
        command.labels(), now, agrees);
    context.getLog().info("review [{}] of incident [{}] decided [{}] by [{}]; judge and reviewer {}",
        review.reviewId(), review.incidentId(), decision.verdict(), decision.reviewer(),
        agrees ? "agree" : "disagree");
    return Effect()
        .persist(new ReviewDecided(review.reviewId(), decision))
        .thenRun(s -> {
          onAgreement.accept(s.agreement());
          Review decided = s.reviews().get(review.reviewId());
          if (decided != null && decided.awaitsApply()) {
            apply(decided);
          }
        })
        .thenReply(command.replyTo(), s -> new ReviewReply(Result.OK, s.reviews().get(review.reviewId()), ""));
  }

  /** Returns the conflict that stops {@code reviewer} from claiming or deciding: a decision, or another reviewer's claim. */
  private static Optional<ReviewReply> conflict(Review review, String reviewer, Instant now) {
    if (review.decision() != null) {
      return Optional.of(new ReviewReply(Result.CONFLICT, review, "review [" + review.reviewId()
          + "] is already decided: " + review.decision().verdict() + " by " + review.decision().reviewer()));
    }
    if (review.claimedAt(now) && !review.claim().reviewer().equals(reviewer)) {
      return Optional.of(new ReviewReply(Result.CONFLICT, review, "review [" + review.reviewId() + "] is claimed by ["
          + review.claim().reviewer() + "] until " + review.claim().expiresAt()
          + "; wait for the claim to expire or ask that reviewer"));
    }
    return Optional.empty();
  }

  private Effect<Event, State> onApplyConfirmed(State state, ApplyConfirmed command) {
    applying.remove(command.reviewId());
    Review review = state.reviews().get(command.reviewId());
    if (review == null || !review.awaitsApply()) {
      return Effect().none();
    }
    context.getLog().info("review [{}]: incident [{}] confirmed the verdict [{}]",
        review.reviewId(), review.incidentId(), review.decision().verdict());
    return Effect().persist(new DecisionApplied(review.reviewId(), clock.instant()));
  }

  private Effect<Event, State> onApplyFailed(State state, ApplyFailed command) {
    applying.remove(command.reviewId());
    Duration retry = settings.applyRetry();
    context.getLog().warn("review [{}]: the incident did not confirm the verdict, retrying in [{}]: {}",
        command.reviewId(), retry, command.reason());
    timers.startSingleTimer("apply-" + command.reviewId(), new RetryApply(command.reviewId()), retry);
    return Effect().none();
  }

  /** Sends a decided held review to its incident, unless a send is already in flight. */
  private void apply(Review review) {
    if (!applying.add(review.reviewId())) {
      return;
    }
    CompletionStage<?> sent;
    try {
      sent = applyDecision.apply(review);
    } catch (RuntimeException e) {
      sent = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    context.pipeToSelf(sent, (ok, failure) -> failure == null
        ? new ApplyConfirmed(review.reviewId())
        : new ApplyFailed(review.reviewId(), String.valueOf(failure)));
  }

  // ---- recovery ----

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          onAgreement.accept(state.agreement());
          long open = state.reviews().values().stream().filter(r -> r.decision() == null).count();
          context.getLog().info("review queue started: [{}] open and [{}] finished reviews kept",
              open, state.finished().size());
          state.reviews().values().stream().filter(Review::awaitsApply).forEach(this::apply);
        })
        .onSignal(PostStop.instance(), state -> context.getLog().info("review queue stopped"))
        .build();
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ReviewSubmitted.class, (state, event) -> state.with(event.review()))
        .onEvent(ReviewClaimed.class, (state, event) -> {
          Review review = state.reviews().get(event.reviewId());
          return review == null ? state : state.with(review.withClaim(event.claim()));
        })
        .onEvent(ReviewDecided.class, (state, event) -> {
          Review review = state.reviews().get(event.reviewId());
          return review == null ? state : state.decided(review.withDecision(event.decision()))
              .pruned(settings.maxFinished());
        })
        .onEvent(DecisionApplied.class, (state, event) -> {
          Review review = state.reviews().get(event.reviewId());
          return review == null ? state : state.with(review.withApplied()).pruned(settings.maxFinished());
        })
        .build();
  }
}
