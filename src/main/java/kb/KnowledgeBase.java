package kb;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The articles and the retriever that finds the ones related to an insight. Articles are read
 * when the knowledge base starts, so an invalid article stops the start with an error naming its
 * file and field. The embedding index is built in the background. Until it is ready, or when the
 * model cannot be loaded, the keyword retriever serves queries.
 */
public final class KnowledgeBase {

  private static final Logger LOG = LoggerFactory.getLogger(KnowledgeBase.class);

  private final KbSettings settings;
  private final List<KbArticle> articles;
  private final KeywordRetriever keyword;
  private final CompletableFuture<KbRetriever> embedding;
  private final AtomicBoolean waitTimeoutLogged = new AtomicBoolean(false);

  private KnowledgeBase(KbSettings settings, List<KbArticle> articles, CompletableFuture<KbRetriever> embedding) {
    this.settings = settings;
    this.articles = articles;
    this.keyword = new KeywordRetriever(articles, settings.keywordMinScore(), settings.keywordMinRelativeScore());
    this.embedding = embedding;
  }

  /**
   * Reads the articles and, for embedding retrieval, starts building the index on {@code executor}.
   *
   * @throws KbArticleException when an article is invalid
   */
  public static KnowledgeBase start(KbSettings settings, Executor executor) {
    return start(settings, executor,
        articles -> EmbeddingRetriever.build(articles, settings.embeddingMinScore(), settings.embeddingMinRelativeScore()));
  }

  /** The same with another way to build the embedding index; tests pass one that fails or blocks. */
  static KnowledgeBase start(KbSettings settings, Executor executor,
      Function<List<KbArticle>, KbRetriever> embeddingIndex) {
    List<KbArticle> articles = KbArticles.load(settings);
    String from = settings.extraDir().map(dir -> " (bundled and from " + dir + ")").orElse(" (bundled)");
    if (settings.retrieval() == KbSettings.Retrieval.KEYWORD) {
      LOG.info("knowledge base: [{}] articles{}; related articles come from keyword retrieval ({}.retrieval = keyword)",
          articles.size(), from, KbSettings.PATH);
      return new KnowledgeBase(settings, articles, null);
    }
    LOG.info("knowledge base: [{}] articles{}; building the embedding index in the background", articles.size(), from);
    long started = System.nanoTime();
    CompletableFuture<KbRetriever> index = CompletableFuture.supplyAsync(() -> embeddingIndex.apply(articles), executor);
    index.whenComplete((retriever, failure) -> {
      if (failure == null) {
        LOG.info("knowledge base: embedding index of [{}] articles ready in [{}] ms; related articles come from "
            + "embedding retrieval (all-MiniLM-L6-v2)", articles.size(), (System.nanoTime() - started) / 1_000_000);
      } else {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        LOG.warn("knowledge base: the embedding model could not be loaded, so related articles come from keyword "
            + "retrieval: {}", cause.toString(), cause);
      }
    });
    return new KnowledgeBase(settings, articles, index);
  }

  /** Returns the articles related to {@code query}, best first, at most {@code top-k} of them. */
  public List<KbHit> related(String query) {
    return retriever().retrieve(query, settings.topK());
  }

  public List<KbArticle> articles() {
    return articles;
  }

  /**
   * Returns the retriever to use now. It waits up to {@code index-wait} for the embedding
   * index, then falls back to keyword retrieval for this query.
   */
  public KbRetriever retriever() {
    if (embedding == null) {
      return keyword;
    }
    try {
      return embedding.get(settings.indexWait().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      if (waitTimeoutLogged.compareAndSet(false, true)) {
        LOG.warn("knowledge base: the embedding index was not ready within [{}] ({}.index-wait); keyword retrieval "
            + "answers until it is", settings.indexWait(), KbSettings.PATH);
      }
      return keyword;
    } catch (ExecutionException e) {
      return keyword;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return keyword;
    }
  }

  /** Completes with the retriever used once start-up work is done: keyword at once, embedding when indexed. */
  public CompletableFuture<KbRetriever> ready() {
    if (embedding == null) {
      return CompletableFuture.completedFuture(keyword);
    }
    return embedding.handle((retriever, failure) -> failure == null ? retriever : keyword);
  }
}
