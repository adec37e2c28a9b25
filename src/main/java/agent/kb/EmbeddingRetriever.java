package agent.kb;

import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Semantic retrieval with the all-MiniLM-L6-v2 sentence-embedding model, run in process on the
 * ONNX Runtime (the model ships inside the jar; nothing is downloaded). Each article is indexed
 * as several texts: its title with its tags, and each passage of its body. An article's score for
 * a query is the highest cosine similarity between the query and any of those texts, so one
 * passage that describes the incident is enough.
 */
public final class EmbeddingRetriever implements KbRetriever {

  /** Vectors of indexed texts, shared by every retriever of this JVM: engines restarted in one process re-index for free. */
  private static final Map<String, float[]> VECTORS = new ConcurrentHashMap<>();

  private final EmbeddingModel model;
  private final List<KbArticle> articles;
  private final List<List<float[]>> vectors;
  private final double minScore;
  private final double minRelativeScore;

  private EmbeddingRetriever(EmbeddingModel model, List<KbArticle> articles, List<List<float[]>> vectors,
      double minScore, double minRelativeScore) {
    this.model = model;
    this.articles = articles;
    this.vectors = vectors;
    this.minScore = minScore;
    this.minRelativeScore = minRelativeScore;
  }

  /**
   * Loads the model, if this JVM has not yet, and embeds every article. Blocks for the time this
   * takes (seconds on first use), so call it off the actor threads.
   *
   * @throws RuntimeException or {@link LinkageError} when the model or its native runtime cannot be loaded
   */
  public static EmbeddingRetriever build(List<KbArticle> articles, double minScore, double minRelativeScore) {
    return build(articles, minScore, minRelativeScore, () -> false);
  }

  /**
   * The same, checking {@code cancelled} before each text, so that an engine that stops does not
   * wait for the whole index.
   *
   * @throws CancellationException when {@code cancelled} returns true
   */
  static EmbeddingRetriever build(List<KbArticle> articles, double minScore, double minRelativeScore,
      BooleanSupplier cancelled) {
    EmbeddingModel model = ModelHolder.MODEL;
    List<List<float[]>> vectors = new ArrayList<>();
    for (KbArticle article : articles) {
      List<float[]> own = new ArrayList<>();
      for (String text : indexedTexts(article)) {
        if (cancelled.getAsBoolean()) {
          throw new CancellationException("the embedding index build was stopped");
        }
        own.add(VECTORS.computeIfAbsent(text, t -> model.embed(t).content().vector()));
      }
      vectors.add(own);
    }
    return new EmbeddingRetriever(model, List.copyOf(articles), vectors, minScore, minRelativeScore);
  }

  /** Returns the texts an article is indexed by: its title with its tags, then each passage of its body after the title. */
  static List<String> indexedTexts(KbArticle article) {
    List<String> texts = new ArrayList<>();
    texts.add(article.title() + ". " + String.join(", ", article.tags()));
    for (String passage : KbText.passages(article.body())) {
      texts.add(article.title() + ". " + passage);
    }
    return texts;
  }

  @Override
  public String name() {
    return "embedding";
  }

  @Override
  public List<KbHit> retrieve(String query, int topK) {
    if (query == null || query.isBlank()) {
      return List.of();
    }
    float[] target = model.embed(query).content().vector();
    List<KbHit> hits = new ArrayList<>();
    for (int i = 0; i < articles.size(); i++) {
      double best = -1;
      for (float[] vector : vectors.get(i)) {
        best = Math.max(best, cosine(target, vector));
      }
      hits.add(new KbHit(articles.get(i), best));
    }
    return KbRetriever.select(hits, minScore, minRelativeScore, topK);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      normA += a[i] * a[i];
      normB += b[i] * b[i];
    }
    return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
  }

  /** Loads the model once per JVM, on first use. */
  private static final class ModelHolder {
    static final EmbeddingModel MODEL = load();

    private static EmbeddingModel load() {
      DjlOffline.apply();
      return new MiniLmEmbeddingModel();
    }
  }
}
