package agent.kb;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
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
  /** How long closing waits for the index build to leave native code: one session creation or one embedding. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(20);

  private final KbSettings settings;
  private final List<KbArticle> articles;
  private final KeywordRetriever keyword;
  private final CompletableFuture<KbRetriever> embedding;
  private final AtomicBoolean closing;
  private final Thread shutdownHook;
  private final AtomicBoolean waitTimeoutLogged = new AtomicBoolean(false);
  private final Semaphore embeddingSlots;
  private final AtomicLong busyFallbacks = new AtomicLong();

  private KnowledgeBase(KbSettings settings, List<KbArticle> articles, CompletableFuture<KbRetriever> embedding,
      AtomicBoolean closing) {
    this.settings = settings;
    this.articles = articles;
    this.keyword = new KeywordRetriever(articles, settings.keywordMinScore(), settings.keywordMinRelativeScore());
    this.embedding = embedding;
    this.closing = closing;
    this.embeddingSlots = new Semaphore(settings.embeddingMaxConcurrent());
    if (embedding == null) {
      this.shutdownHook = null;
    } else {
      // Covers every way the JVM exits, also those that never close the engine (a failed start, System.exit).
      this.shutdownHook = new Thread(this::awaitIndexStopped, "fleet-sre-kb-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /**
   * Reads the articles and, for embedding retrieval, starts building the index on {@code executor}.
   *
   * @throws KbArticleException when an article is invalid
   */
  public static KnowledgeBase start(KbSettings settings, Executor executor) {
    return start(settings, executor, (articles, closing) -> EmbeddingRetriever.build(articles,
        settings.embeddingMinScore(), settings.embeddingMinRelativeScore(), closing::get));
  }

  /**
   * Starts like {@link #start(KbSettings, Executor)} with another way to build the embedding index.
   * It gets the articles and a flag set when the knowledge base closes. Tests pass one that fails or blocks.
   */
  static KnowledgeBase start(KbSettings settings, Executor executor,
      BiFunction<List<KbArticle>, AtomicBoolean, KbRetriever> embeddingIndex) {
    List<KbArticle> articles = KbArticles.load(settings);
    AtomicBoolean closing = new AtomicBoolean(false);
    String from = settings.extraDir().map(dir -> " (bundled and from " + dir + ")").orElse(" (bundled)");
    if (settings.retrieval() == KbSettings.Retrieval.KEYWORD) {
      LOG.info("knowledge base: [{}] articles{}; related articles come from keyword retrieval ({}.retrieval = keyword)",
          articles.size(), from, KbSettings.PATH);
      return new KnowledgeBase(settings, articles, null, closing);
    }
    LOG.info("knowledge base: [{}] articles{}; building the embedding index in the background", articles.size(), from);
    long started = System.nanoTime();
    CompletableFuture<KbRetriever> index =
        CompletableFuture.supplyAsync(() -> embeddingIndex.apply(articles, closing), executor);
    index.whenComplete((retriever, failure) -> {
      if (closing.get()) {
        LOG.info("knowledge base: the embedding index build stopped because the knowledge base closed");
      } else if (failure == null) {
        LOG.info("knowledge base: embedding index of [{}] articles ready in [{}] ms; related articles come from "
            + "embedding retrieval (all-MiniLM-L6-v2)", articles.size(), (System.nanoTime() - started) / 1_000_000);
      } else {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        LOG.warn("knowledge base: the embedding model could not be loaded, so related articles come from keyword "
            + "retrieval: {}", cause.toString(), cause);
      }
    });
    return new KnowledgeBase(settings, articles, index, closing);
  }

  /**
   * Stops building the embedding index and waits until the thread that builds it has left the
   * model's native code. The ONNX Runtime crashes the JVM (SIGSEGV, exit code 134) when the JVM
   * exits while a thread is inside it, for example while it creates its session.
   *
   * <p>NOTE: this covers an orderly close only. On SIGTERM the ONNX Runtime's own shutdown hook
   * (ai.onnxruntime 1.20.0 {@code OrtEnvironment}) releases its native environment at once, in
   * parallel with this wait, so a SIGTERM while the model loads or embeds can still end the JVM
   * with SIGSEGV instead of exit code 143.
   */
  public void close() {
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already exiting; the hook runs this wait too.
      }
    }
    awaitIndexStopped();
  }

  private void awaitIndexStopped() {
    if (embedding == null) {
      return;
    }
    closing.set(true);
    try {
      embedding.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("knowledge base: the embedding index build did not stop within [{}]; the JVM may crash if it exits now",
          CLOSE_WAIT);
    } catch (ExecutionException | java.util.concurrent.CancellationException e) {
      // Stopped or failed: either way no thread is in the model any more.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns the articles related to {@code query}, best first, at most {@code top-k} of them. When
   * {@code embedding.max-concurrent} queries already use the embedding model, this one uses
   * keyword retrieval rather than wait.
   */
  public List<KbHit> related(String query) {
    KbRetriever retriever = retriever();
    if (retriever == keyword) {
      return keyword.retrieve(query, settings.topK());
    }
    if (!embeddingSlots.tryAcquire()) {
      long busy = busyFallbacks.incrementAndGet();
      if (busy == 1 || busy % 1_000 == 0) {
        LOG.info("knowledge base: the embedding model was busy, so [{}] queries so far used keyword retrieval "
            + "({}.embedding.max-concurrent = {})", busy, KbSettings.PATH, settings.embeddingMaxConcurrent());
      }
      return keyword.retrieve(query, settings.topK());
    }
    try {
      return retriever.retrieve(query, settings.topK());
    } finally {
      embeddingSlots.release();
    }
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
