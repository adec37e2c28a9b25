package actors;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Guidelines;
import agent.Insight;
import agent.StructuralJudge;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The judge guidelines store and its node-local view, on the persistence testkit journal. */
class GuidelinesStoreTest {

  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());

  private static final ActorTestKit TEST_KIT = ActorTestKit.create("GuidelinesStoreTest", CONFIG);

  @AfterAll
  static void shutdown() {
    TEST_KIT.shutdownTestKit();
  }

  private static Guidelines get(ActorRef<GuidelinesStore.Command> store) {
    TestProbe<GuidelinesStore.Current> probe = TEST_KIT.createTestProbe();
    store.tell(new GuidelinesStore.GetGuidelines(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5)).guidelines();
  }

  @Test
  void everyChangeRaisesVersionAndSurvivesRecovery() throws Exception {
    PersistenceId id = PersistenceId.ofUniqueId("guidelines-recovery");
    var store = TEST_KIT.spawn(GuidelinesStore.create(id, Clock.systemUTC(), 2));
    GuidelinesView view = new GuidelinesView(TEST_KIT.system(), store, Duration.ofSeconds(5));
    assertThat(view.current().version()).isZero();

    Guidelines first = view.add("Never propose deleting files under /var/lib/mysql.", "manual")
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    Guidelines second = view.add("A complete insight cites the command behind its root cause.", "incident-7")
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    view.add("Name the site a hog process serves.", "manual").toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(first.version()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.items()).extracting(Guidelines.Guideline::id).containsExactly("g-1", "g-2");
    assertThat(second.items().get(1).source()).isEqualTo("incident-7");
    assertThat(view.current().version()).as("the view keeps its own change at once").isEqualTo(3);

    TEST_KIT.stop(store);
    var recovered = TEST_KIT.spawn(GuidelinesStore.create(id, Clock.systemUTC(), 2));
    Guidelines afterRecovery = get(recovered);
    assertThat(afterRecovery.version()).isEqualTo(3);
    assertThat(afterRecovery.items()).extracting(Guidelines.Guideline::text)
        .containsExactly("Never propose deleting files under /var/lib/mysql.",
            "A complete insight cites the command behind its root cause.", "Name the site a hog process serves.");
  }

  @Test
  void staleViewCatchesUpOnRefresh() throws Exception {
    var store = TEST_KIT.spawn(GuidelinesStore.create(PersistenceId.ofUniqueId("guidelines-view"), Clock.systemUTC(), 50));
    GuidelinesView stale = new GuidelinesView(TEST_KIT.system(), store, Duration.ofSeconds(5));
    GuidelinesView fresh = new GuidelinesView(TEST_KIT.system(), store, Duration.ofSeconds(5));

    fresh.add("Prefer logrotate over deleting active logs.", "manual").toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(stale.current().version()).isZero();
    stale.refresh().toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(stale.current().version()).isEqualTo(1);
  }

  @Test
  void structuralJudgeRecordsVersionInForce() {
    Guidelines current = new Guidelines(4, List.of());
    StructuralJudge judge = new StructuralJudge(16, 40, 1000, () -> current);
    Insight insight = new Insight(Insight.SCHEMA_VERSION, "i", "web-01", null, "disk-space", "partial", "s", "c",
        List.of(), List.of(), List.of(), List.of(), new Insight.Timings(Instant.EPOCH, Instant.EPOCH, 0, 1, 1),
        "playbook");

    assertThat(judge.judge(insight, List.of()).guidelinesVersion()).isEqualTo(4);
    assertThat(new StructuralJudge().judge(insight, List.of()).guidelinesVersion()).isZero();
  }

  @Test
  void eventsAndStateSerialize() {
    var serialization = TEST_KIT.serializationTestKit();
    Guidelines.Guideline guideline = new Guidelines.Guideline("g-1", "text", "manual", Instant.EPOCH);
    TestProbe<GuidelinesStore.Current> probe = TEST_KIT.createTestProbe();

    serialization.verifySerialization(new GuidelinesStore.GuidelineAdded(guideline, 1), true);
    serialization.verifySerialization(new GuidelinesStore.State(new Guidelines(1, List.of(guideline))), true);
    serialization.verifySerialization(new GuidelinesStore.AddGuideline("text", "manual", probe.getRef()), true);
    serialization.verifySerialization(new GuidelinesStore.GetGuidelines(probe.getRef()), true);
    serialization.verifySerialization(new GuidelinesStore.Current(new Guidelines(1, List.of(guideline))), true);
  }
}
