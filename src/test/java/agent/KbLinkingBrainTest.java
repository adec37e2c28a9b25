package agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import agent.kb.KbSettings;
import agent.kb.KnowledgeBase;
import org.junit.jupiter.api.Test;

/** The brain decorator that links knowledge-base articles to each concluded insight. */
class KbLinkingBrainTest {

  private static final Insight.KbLink PLAYBOOK_LINK = new Insight.KbLink("du(1)", "https://manpages.debian.org/du");

  private final KnowledgeBase keywordKb = KnowledgeBase.start(
      KbSettings.fromConfig(ConfigFactory.load().getConfig(KbSettings.PATH)).withRetrieval(KbSettings.Retrieval.KEYWORD),
      Runnable::run);
  private final Analyzers analyzers = Analyzers.fromConfig(Fixtures.fleetSre(), Fixtures.CLOCK);
  private final PlaybookBrain playbook = PlaybookBrain.fromConfig(Fixtures.fleetSre(), analyzers, Fixtures.CLOCK);

  /** A brain that always returns one decision. */
  private record FixedBrain(Brain.Decision decision) implements Brain {
    @Override
    public String name() {
      return "fixed";
    }

    @Override
    public Decision decide(View view) {
      return decision;
    }

    @Override
    public double estimatedCostUsd(long inputTokens, long outputTokens) {
      return 1.5;
    }
  }

  private static InsightDraft draft(String summary, String rootCause) {
    return new InsightDraft("general-triage", "complete", summary, rootCause, List.of("step"), List.of(),
        List.of(PLAYBOOK_LINK), List.of());
  }

  private static Brain.View view(String kind, String summary) {
    return new Brain.View("inc-1", Incident.alert(kind, Map.of(), summary), List.of(), 1, false, "");
  }

  @Test
  void playbookDiskInsightGetsDiskArticles() {
    Incident incident = new Incident(new KbLinkingBrain(playbook, keywordKb),
        Incident.alert("HostDiskFull", Map.of("mountpoint", "/"), "Disk / is 96% full"), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::diskHost);

    assertThat(draft.kbLinks()).isNotEmpty();
    assertThat(draft.kbLinks()).extracting(Insight.KbLink::url)
        .allSatisfy(url -> assertThat(url).startsWith("https://kb.example.org/hosting/"))
        .allSatisfy(url -> assertThat(url).containsAnyOf("disk-full", "inode"))
        .noneSatisfy(url -> assertThat(url).contains("tls"));
    assertThat(draft.summary()).isEqualTo(incident.run(PlaybookBrainTest::diskHost).summary());
  }

  @Test
  void concludeGetsRetrievedLinksAndKeepsTheRest() {
    InsightDraft original = draft("The certificate for shop.example.com expires in 3 days.",
        "certbot renewal has been failing for 27 days.");
    ModelTurn turn = new ModelTurn(2, "model-x", "done", List.of(), 10, 5, "");
    Brain brain = new KbLinkingBrain(new FixedBrain(new Brain.Conclude(original, turn)), keywordKb);

    Brain.Conclude conclude = (Brain.Conclude) brain.decide(view("SslCertificateExpiringSoon", "expires soon"));

    assertThat(conclude.draft().kbLinks()).extracting(Insight.KbLink::url)
        .first().isEqualTo("https://kb.example.org/hosting/tls-certificate-expiry-renewal");
    assertThat(conclude.draft().kbLinks()).doesNotContain(PLAYBOOK_LINK);
    assertThat(conclude.turn()).isSameAs(turn);
    assertThat(conclude.draft()).usingRecursiveComparison().ignoringFields("kbLinks").isEqualTo(original);
  }

  @Test
  void noMatchKeepsBrainLinks() {
    InsightDraft original = draft("Nothing stands out.", "Unknown.");
    Brain brain = new KbLinkingBrain(new FixedBrain(new Brain.Conclude(original)), keywordKb);

    Brain.Conclude conclude = (Brain.Conclude) brain.decide(view("Watchdog", ""));

    assertThat(conclude.draft().kbLinks()).containsExactly(PLAYBOOK_LINK);
  }

  @Test
  void runCommandsPassesThrough() {
    Brain.RunCommands run = new Brain.RunCommands("step 1", List.of());
    Brain brain = new KbLinkingBrain(new FixedBrain(run), keywordKb);

    assertThat(brain.decide(view("HostDiskFull", "disk full"))).isSameAs(run);
    assertThat(brain.name()).isEqualTo("fixed");
    assertThat(brain.estimatedCostUsd(1, 1)).isEqualTo(1.5);
  }

  @Test
  void queryJoinsAlertAndInsight() {
    String query = KbLinkingBrain.query(Incident.alert("HostOutOfInodes", Map.of(), "no inodes on /"),
        draft("Inodes on / are 100% used.", "wp-content/cache holds 4 million files."));

    assertThat(query).isEqualTo(
        "Host Out Of Inodes. no inodes on /. Inodes on / are 100% used.. wp-content/cache holds 4 million files.");
  }
}
