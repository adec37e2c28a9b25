package actors;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Judge;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The review queue on the persistence testkit journal and snapshot store: idempotent submission,
 * claims and their expiry, verdicts sent to incidents until confirmed, retention, agreement counts
 * and recovery.
 */
class ReviewQueueTest {

  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());

  private static final ActorTestKit TEST_KIT = ActorTestKit.create("ReviewQueueTest", CONFIG);

  private static final AtomicInteger QUEUES = new AtomicInteger();

  private static final Duration CLAIM_TIMEOUT = Duration.ofMinutes(30);

  @AfterAll
  static void shutdown() {
    TEST_KIT.shutdownTestKit();
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T10:00:00Z"));

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** Records what the queue sends to incidents; the first {@code failuresLeft} sends fail. */
  static final class Incidents implements Function<Review, CompletionStage<?>> {
    final List<Review> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();

    @Override
    public CompletionStage<?> apply(Review review) {
      sent.add(review);
      if (failuresLeft.getAndDecrement() > 0) {
        return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("incident did not answer"));
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final Incidents incidents = new Incidents();
  private final AtomicReference<Map<String, ReviewQueue.Agreement>> agreement = new AtomicReference<>(Map.of());
  private final PersistenceId persistenceId = PersistenceId.ofUniqueId("ReviewQueueTest-" + QUEUES.incrementAndGet());

  private static ReviewSettings settings(int maxFinished, int snapshotEvery) {
    return new ReviewSettings(new ReviewSampler(0.0, Map.of(), Map.of(), 0.0, 0.0), CLAIM_TIMEOUT,
        Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(100), maxFinished, snapshotEvery, 2);
  }

  private ActorRef<ReviewQueue.Command> spawn(ReviewSettings settings) {
    return TEST_KIT.spawn(ReviewQueue.create(persistenceId, settings, clock, incidents, agreement::set));
  }

  private ActorRef<ReviewQueue.Command> spawn() {
    return spawn(settings(100, 100));
  }

  private static Review review(String id, String useCase, boolean held) {
    Judge.Verdict verdict = new Judge.Verdict(!held, "structural", List.of(held ? "no evidence" : "checked"), 0.8);
    return new Review(id, id, "web-01", "HostDiskFull", useCase, held, held ? "held by the judge" : "sampled",
        "summary of " + id, verdict, Instant.parse("2026-12-04T09:00:00Z"), null, null, false);
  }

  private static boolean submit(ActorRef<ReviewQueue.Command> queue, Review review) {
    TestProbe<ReviewQueue.Submitted> probe = TEST_KIT.createTestProbe();
    queue.tell(new ReviewQueue.Submit(review, probe.getRef()));
    ReviewQueue.Submitted reply = probe.receiveMessage(Duration.ofSeconds(5));
    assertThat(reply.reviewId()).isEqualTo(review.reviewId());
    return reply.created();
  }

  private static ReviewQueue.ReviewReply claim(ActorRef<ReviewQueue.Command> queue, String id, String reviewer) {
    TestProbe<ReviewQueue.ReviewReply> probe = TEST_KIT.createTestProbe();
    queue.tell(new ReviewQueue.ClaimReview(id, reviewer, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private static ReviewQueue.ReviewReply decide(ActorRef<ReviewQueue.Command> queue, String id, String reviewer,
      String verdict) {
    TestProbe<ReviewQueue.ReviewReply> probe = TEST_KIT.createTestProbe();
    queue.tell(new ReviewQueue.DecideReview(id, reviewer, verdict, "notes", List.of("label"), probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private static Review get(ActorRef<ReviewQueue.Command> queue, String id) {
    TestProbe<ReviewQueue.ReviewReply> probe = TEST_KIT.createTestProbe();
    queue.tell(new ReviewQueue.GetReview(id, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5)).review();
  }

  private static ReviewQueue.ReviewList list(ActorRef<ReviewQueue.Command> queue, String status, String useCase,
      int limit) {
    TestProbe<ReviewQueue.ReviewList> probe = TEST_KIT.createTestProbe();
    queue.tell(new ReviewQueue.ListReviews(status, useCase, limit, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  @Test
  void submitIsIdempotentByIncident() {
    var queue = spawn();

    assertThat(submit(queue, review("i-1", "disk-space", true))).isTrue();
    assertThat(submit(queue, review("i-1", "disk-space", true))).isFalse();

    assertThat(list(queue, "", "", 10).reviews()).extracting(Review::reviewId).containsExactly("i-1");
  }

  @Test
  void claimConflictsUntilItExpires() {
    var queue = spawn();
    submit(queue, review("i-1", "disk-space", true));

    assertThat(claim(queue, "i-1", "alice").result()).isEqualTo(ReviewQueue.Result.OK);
    ReviewQueue.ReviewReply taken = claim(queue, "i-1", "bob");
    assertThat(taken.result()).isEqualTo(ReviewQueue.Result.CONFLICT);
    assertThat(taken.message()).contains("alice");
    assertThat(decide(queue, "i-1", "bob", "correct").result()).isEqualTo(ReviewQueue.Result.CONFLICT);
    assertThat(claim(queue, "i-1", "alice").result()).as("the holder renews").isEqualTo(ReviewQueue.Result.OK);
    assertThat(get(queue, "i-1").status(clock.instant())).isEqualTo("claimed");

    clock.advance(CLAIM_TIMEOUT.plusSeconds(1));

    assertThat(get(queue, "i-1").status(clock.instant())).isEqualTo("pending");
    assertThat(claim(queue, "i-1", "bob").result()).isEqualTo(ReviewQueue.Result.OK);
    assertThat(claim(queue, "i-1", "alice").result()).isEqualTo(ReviewQueue.Result.CONFLICT);
  }

  @Test
  void unknownDecidedAndInvalidRequestsAreRefused() {
    var queue = spawn();
    submit(queue, review("i-1", "disk-space", false));

    assertThat(claim(queue, "nope", "alice").result()).isEqualTo(ReviewQueue.Result.NOT_FOUND);
    assertThat(decide(queue, "nope", "alice", "correct").result()).isEqualTo(ReviewQueue.Result.NOT_FOUND);
    assertThat(decide(queue, "i-1", "alice", "maybe").result()).isEqualTo(ReviewQueue.Result.INVALID);
    assertThat(decide(queue, "i-1", "alice", "correct").result()).isEqualTo(ReviewQueue.Result.OK);
    assertThat(decide(queue, "i-1", "bob", "wrong").result()).isEqualTo(ReviewQueue.Result.CONFLICT);
    assertThat(claim(queue, "i-1", "bob").result()).isEqualTo(ReviewQueue.Result.CONFLICT);
    assertThat(incidents.sent).as("a published insight needs no verdict at its incident").isEmpty();
  }

  @Test
  void heldVerdictIsSentUntilConfirmed() {
    var queue = spawn();
    incidents.failuresLeft.set(2);
    submit(queue, review("i-1", "disk-space", true));

    ReviewQueue.ReviewReply decided = decide(queue, "i-1", "alice", "correct");

    assertThat(decided.review().decision().verdict()).isEqualTo("correct");
    assertThat(decided.review().decision().agrees()).isFalse();
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(get(queue, "i-1").applied()).isTrue();
      return null;
    });
    assertThat(incidents.sent).hasSize(3).allSatisfy(review -> assertThat(review.reviewId()).isEqualTo("i-1"));
  }

  @Test
  void listFiltersByStatusAndUseCase() {
    var queue = spawn();
    submit(queue, review("i-1", "disk-space", true));
    submit(queue, review("i-2", "resource-hogs", true));
    submit(queue, review("i-3", "disk-space", false));
    submit(queue, review("i-4", "disk-space", false));
    claim(queue, "i-3", "alice");
    decide(queue, "i-4", "alice", "correct");

    assertThat(list(queue, "pending", "", 10).reviews()).extracting(Review::reviewId).containsExactly("i-1", "i-2");
    assertThat(list(queue, "claimed", "", 10).reviews()).extracting(Review::reviewId).containsExactly("i-3");
    assertThat(list(queue, "decided", "", 10).reviews()).extracting(Review::reviewId).containsExactly("i-4");
    assertThat(list(queue, "", "disk-space", 10).reviews()).extracting(Review::reviewId)
        .containsExactly("i-1", "i-3", "i-4");
    ReviewQueue.ReviewList page = list(queue, "", "", 2);
    assertThat(page.reviews()).extracting(Review::reviewId).containsExactly("i-1", "i-2");
    assertThat(page.matched()).isEqualTo(4);
  }

  @Test
  void agreementIsCountedPerUseCase() {
    var queue = spawn();
    submit(queue, review("held-wrong", "disk-space", true));
    submit(queue, review("held-correct", "disk-space", true));
    submit(queue, review("published-partly", "disk-space", false));
    submit(queue, review("published-unsafe", "resource-hogs", false));

    decide(queue, "held-wrong", "alice", "wrong");
    decide(queue, "held-correct", "alice", "correct");
    decide(queue, "published-partly", "alice", "partly-correct");
    decide(queue, "published-unsafe", "alice", "unsafe");

    assertThat(agreement.get()).containsEntry("disk-space", new ReviewQueue.Agreement(2, 1))
        .containsEntry("resource-hogs", new ReviewQueue.Agreement(0, 1));
    MeterRegistry registry = new SimpleMeterRegistry();
    new AgreementMeters(registry).accept(agreement.get());
    assertThat(registry.get("fleet_sre.review.agreement").tags("use_case", "disk-space", "result", "agree")
        .functionCounter().count()).isEqualTo(2.0);
    assertThat(registry.get("fleet_sre.review.agreement").tags("use_case", "resource-hogs", "result", "disagree")
        .functionCounter().count()).isEqualTo(1.0);
    assertThat(registry.get("fleet_sre.review.agreement.ratio").tags("use_case", "disk-space").gauge().value())
        .isEqualTo(2.0 / 3.0);
    assertThat(registry.get("fleet_sre.review.agreement.ratio").tags("use_case", "all").gauge().value())
        .isEqualTo(0.5);
  }

  @Test
  void retentionDropsOldestFinishedReviews() {
    var queue = spawn(settings(2, 100));
    for (int i = 1; i <= 4; i++) {
      submit(queue, review("i-" + i, "disk-space", false));
    }
    submit(queue, review("open", "disk-space", false));
    for (int i = 1; i <= 4; i++) {
      decide(queue, "i-" + i, "alice", "correct");
    }

    assertThat(list(queue, "", "", 10).reviews()).extracting(Review::reviewId).containsExactly("i-3", "i-4", "open");
    assertThat(agreement.get()).containsEntry("disk-space", new ReviewQueue.Agreement(4, 0));
  }

  @Test
  void recoveryKeepsReviewsAndResendsUnconfirmedVerdicts() {
    var queue = spawn(settings(100, 2));
    incidents.failuresLeft.set(Integer.MAX_VALUE);
    submit(queue, review("i-1", "disk-space", true));
    submit(queue, review("i-2", "disk-space", true));
    submit(queue, review("i-3", "resource-hogs", false));
    claim(queue, "i-2", "bob");
    decide(queue, "i-1", "alice", "unsafe");
    TEST_KIT.stop(queue);

    incidents.failuresLeft.set(0);
    incidents.sent.clear();
    agreement.set(Map.of());
    var recovered = spawn(settings(100, 2));

    assertThat(list(recovered, "", "", 10).reviews()).extracting(Review::reviewId).containsExactly("i-1", "i-2", "i-3");
    assertThat(get(recovered, "i-2").claim().reviewer()).isEqualTo("bob");
    assertThat(agreement.get()).containsEntry("disk-space", new ReviewQueue.Agreement(1, 0));
    TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(get(recovered, "i-1").applied()).isTrue();
      return null;
    });
    assertThat(incidents.sent).extracting(Review::reviewId).containsExactly("i-1");
  }

  @Test
  void messagesAndStateSerialize() {
    var serialization = TEST_KIT.serializationTestKit();
    Review review = review("i-1", "disk-space", true)
        .withClaim(new Review.Claim("alice", Instant.EPOCH, Instant.EPOCH.plusSeconds(60)));
    Review.Decision decision = new Review.Decision("wrong", "alice", "n", List.of("l"), Instant.EPOCH, true);
    TestProbe<ReviewQueue.ReviewReply> replies = TEST_KIT.createTestProbe();

    serialization.verifySerialization(new ReviewQueue.ReviewSubmitted(review), true);
    serialization.verifySerialization(new ReviewQueue.ReviewClaimed("i-1", review.claim()), true);
    serialization.verifySerialization(new ReviewQueue.ReviewDecided("i-1", decision), true);
    serialization.verifySerialization(new ReviewQueue.DecisionApplied("i-1", Instant.EPOCH), true);
    serialization.verifySerialization(new ReviewQueue.State(Map.of("i-1", review.withDecision(decision)),
        List.of("i-1"), Map.of("disk-space", new ReviewQueue.Agreement(1, 0))), true);
    serialization.verifySerialization(new ReviewQueue.Submit(review,
        TEST_KIT.<ReviewQueue.Submitted>createTestProbe().getRef()), true);
    serialization.verifySerialization(new ReviewQueue.ClaimReview("i-1", "alice", replies.getRef()), true);
    serialization.verifySerialization(new ReviewQueue.DecideReview("i-1", "alice", "wrong", "n", List.of("l"),
        replies.getRef()), true);
    serialization.verifySerialization(new ReviewQueue.ListReviews("pending", "", 10,
        TEST_KIT.<ReviewQueue.ReviewList>createTestProbe().getRef()), true);
    serialization.verifySerialization(new ReviewQueue.ReviewList(List.of(review), 1), true);
    serialization.verifySerialization(new ReviewQueue.ReviewReply(ReviewQueue.Result.CONFLICT, review, "m"), true);
    serialization.verifySerialization(new ReviewQueue.AgreementReport(
        Map.of("disk-space", new ReviewQueue.Agreement(3, 1))), true);
  }
}
