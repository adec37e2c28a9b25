package agent.kb;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each use case gets its own articles and none of the others', with both retrievers on the
 * bundled articles and the shipped default settings (top-k and score thresholds).
 */
class KbRetrievalTest {

  private static KbSettings settings;
  private static List<KbArticle> articles;
  private static EmbeddingRetriever embedding;
  private static KeywordRetriever keyword;

  @BeforeAll
  static void index() {
    settings = KbSettings.fromConfig(ConfigFactory.load().getConfig(KbSettings.PATH));
    articles = KbArticles.load(settings);
    embedding = EmbeddingRetriever.build(articles, settings.embeddingMinScore(), settings.embeddingMinRelativeScore());
    keyword = new KeywordRetriever(articles, settings.keywordMinScore(), settings.keywordMinRelativeScore());
  }

  static Stream<KbUseCases.UseCase> useCases() {
    return KbUseCases.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("useCases")
  void embeddingFindsOwnArticles(KbUseCases.UseCase useCase) {
    assertOwnArticles(useCase, embedding.retrieve(useCase.query(), settings.topK()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("useCases")
  void keywordFindsOwnArticles(KbUseCases.UseCase useCase) {
    assertOwnArticles(useCase, keyword.retrieve(useCase.query(), settings.topK()));
  }

  private static void assertOwnArticles(KbUseCases.UseCase useCase, List<KbHit> hits) {
    List<String> ids = hits.stream().map(hit -> hit.article().id()).toList();
    String scores = hits.stream().map(hit -> hit.article().id() + "=" + String.format("%.3f", hit.score()))
        .collect(Collectors.joining(", "));
    assertThat(ids).as("articles for [%s]: %s", useCase.name(), scores).isNotEmpty();
    assertThat(ids.get(0)).as("first article for [%s]: %s", useCase.name(), scores).isEqualTo(useCase.first());
    Set<String> unrelated = KbUseCases.ALL.stream()
        .filter(id -> !id.equals(useCase.first()) && !useCase.related().contains(id))
        .collect(Collectors.toSet());
    assertThat(ids).as("articles for [%s]: %s", useCase.name(), scores).doesNotContainAnyElementsOf(unrelated);
    assertThat(ids).hasSizeLessThanOrEqualTo(settings.topK());
  }

  @Test
  void useCasesCoverEveryArticle() {
    Set<String> firsts = KbUseCases.all().stream().map(KbUseCases.UseCase::first).collect(Collectors.toSet());
    assertThat(firsts).isEqualTo(KbUseCases.ALL);
    assertThat(articles).extracting(KbArticle::id).containsExactlyInAnyOrderElementsOf(KbUseCases.ALL);
  }

  @Test
  void unrelatedQueryFindsNothing() {
    String query = "Office printer on floor 3 is out of toner and jams on double-sided pages";

    assertThat(embedding.retrieve(query, settings.topK())).isEmpty();
    assertThat(keyword.retrieve(query, settings.topK())).isEmpty();
  }

  @Test
  void blankQueryFindsNothing() {
    assertThat(embedding.retrieve(" ", 3)).isEmpty();
    assertThat(keyword.retrieve("", 3)).isEmpty();
  }

  @Test
  void embeddingLoadKeepsDjlOffline() {
    assertThat(System.getProperty(DjlOffline.OPT_OUT_TRACKING)).isEqualTo("true");
    assertThat(System.getProperty(DjlOffline.OFFLINE)).isEqualTo("true");
  }

  @Test
  void topKLimitsHits() {
    String query = KbUseCases.all().get(0).query();

    assertThat(embedding.retrieve(query, 1)).hasSize(1);
    assertThat(keyword.retrieve(query, 1)).hasSize(1);
  }

  @Test
  void selectAppliesAbsoluteAndRelativeCut() {
    KbArticle a = articles.get(0);
    KbArticle b = articles.get(1);
    KbArticle c = articles.get(2);
    List<KbHit> scored = List.of(new KbHit(c, 0.2), new KbHit(a, 0.8), new KbHit(b, 0.7));

    assertThat(KbRetriever.select(scored, 0.5, 0.9, 3)).extracting(KbHit::article).containsExactly(a);
    assertThat(KbRetriever.select(scored, 0.5, 0.5, 3)).extracting(KbHit::article).containsExactly(a, b);
    assertThat(KbRetriever.select(scored, 0.1, 0.0, 2)).extracting(KbHit::article).containsExactly(a, b);
    assertThat(KbRetriever.select(scored, 0.9, 0.0, 3)).isEmpty();
  }
}
