package agent.kb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading articles, their front matter and the knowledge base's choice of retriever. */
class KbArticlesTest {

  private static final URI BASE = URI.create("https://kb.example.org/hosting/");
  private static final String VALID = """
      ---
      title: "Disk full: a test article"
      url: test-article
      tags: [disk, logs]
      ---

      Body text about disk space.
      """;

  @TempDir
  Path directory;

  private static KbSettings settings(KbSettings.Retrieval retrieval, Optional<Path> extraDir, Duration indexWait) {
    return new KbSettings(retrieval, BASE, extraDir, 3, 0.35, 0.85, 8.0, 0.6, indexWait);
  }

  private static KbArticle parse(String text) {
    return KbArticles.parse("extra/broken.md", "broken", text, BASE);
  }

  @Test
  void parseReadsFrontMatter() {
    KbArticle article = KbArticles.parse("extra/test-article.md", "test-article", VALID, BASE);

    assertThat(article.id()).isEqualTo("test-article");
    assertThat(article.title()).isEqualTo("Disk full: a test article");
    assertThat(article.url()).isEqualTo("https://kb.example.org/hosting/test-article");
    assertThat(article.tags()).containsExactly("disk", "logs");
    assertThat(article.body()).isEqualTo("Body text about disk space.");
  }

  @Test
  void parseKeepsAbsoluteUrl() {
    KbArticle article = parse(VALID.replace("url: test-article", "url: https://wiki.example.net/disk"));

    assertThat(article.url()).isEqualTo("https://wiki.example.net/disk");
  }

  @Test
  void frontMatterErrorsNameFileAndField() {
    Map<String, String> brokenByField = Map.of(
        "title", VALID.replace("title: \"Disk full: a test article\"\n", ""),
        "url", VALID.replace("url: test-article\n", ""),
        "tags", VALID.replace("tags: [disk, logs]\n", ""));
    for (Map.Entry<String, String> broken : brokenByField.entrySet()) {
      assertThatThrownBy(() -> parse(broken.getValue()))
          .as("without %s", broken.getKey())
          .isInstanceOf(KbArticleException.class)
          .hasMessage("invalid knowledge-base article [extra/broken.md]: front matter field [" + broken.getKey()
              + "] is missing")
          .satisfies(e -> assertThat(((KbArticleException) e).field()).isEqualTo(broken.getKey()));
    }
  }

  @Test
  void frontMatterInvalidValuesAreRejected() {
    Map<String, String> brokenByField = Map.of(
        "title", VALID.replace("title: \"Disk full: a test article\"", "title: \"  \""),
        "url", VALID.replace("url: test-article", "url: ftp://files.example.org/disk"),
        "tags", VALID.replace("tags: [disk, logs]", "tags: []"));
    for (Map.Entry<String, String> broken : brokenByField.entrySet()) {
      assertThatThrownBy(() -> parse(broken.getValue()))
          .as("invalid %s", broken.getKey())
          .isInstanceOf(KbArticleException.class)
          .hasMessageStartingWith("invalid knowledge-base article [extra/broken.md]: front matter field ["
              + broken.getKey() + "]");
    }
    assertThatThrownBy(() -> parse(VALID.replace("tags: [disk, logs]", "tags: disk")))
        .hasMessageContaining("field [tags] must be a non-empty list");
    assertThatThrownBy(() -> parse(VALID.replace("url: test-article", "url: \"bad url with spaces\"")))
        .hasMessageContaining("field [url] is not a valid URL");
  }

  @Test
  void brokenFileStructureIsRejected() {
    assertThatThrownBy(() -> parse("# Just Markdown\n\nNo front matter.\n"))
        .isInstanceOf(KbArticleException.class)
        .hasMessageContaining("[extra/broken.md]: has no front matter");
    assertThatThrownBy(() -> parse("---\ntitle: x\nurl: y\ntags: [a]\n\nNo closing line.\n"))
        .hasMessageContaining("[extra/broken.md]: has no closing [---] line");
    assertThatThrownBy(() -> parse("---\ntitle: [unclosed\n---\nBody\n"))
        .hasMessageContaining("[extra/broken.md]: has front matter that is not valid YAML");
    assertThatThrownBy(() -> parse("---\n- a list\n---\nBody\n"))
        .hasMessageContaining("not a YAML mapping");
    assertThatThrownBy(() -> parse(VALID.replace("Body text about disk space.", "")))
        .hasMessageContaining("has no text after its front matter");
  }

  @Test
  void bundledArticlesAreValidAndDistinct() {
    List<KbArticle> articles = KbArticles.load(settings(KbSettings.Retrieval.KEYWORD, Optional.empty(), Duration.ZERO));

    assertThat(articles).hasSizeGreaterThanOrEqualTo(12);
    Set<String> urls = new HashSet<>();
    for (KbArticle article : articles) {
      assertThat(article.source()).isEqualTo("kb/" + article.id() + ".md");
      assertThat(article.url()).isEqualTo("https://kb.example.org/hosting/" + article.id());
      assertThat(urls.add(article.url())).as("unique url %s", article.url()).isTrue();
      assertThat(article.body()).as(article.id()).contains("## References");
    }
  }

  @Test
  void extraDirAddsAndReplacesArticles() throws Exception {
    Files.writeString(directory.resolve("inode-exhaustion.md"), VALID.replace("url: test-article", "url: inodes-local"));
    Files.writeString(directory.resolve("our-backup-policy.md"), VALID.replace("url: test-article", "url: backups"));
    Files.writeString(directory.resolve("notes.txt"), "not an article");

    List<KbArticle> articles = KbArticles.load(settings(KbSettings.Retrieval.KEYWORD, Optional.of(directory),
        Duration.ZERO));

    assertThat(articles).filteredOn(a -> a.id().equals("inode-exhaustion")).singleElement()
        .satisfies(a -> assertThat(a.url()).isEqualTo("https://kb.example.org/hosting/inodes-local"));
    assertThat(articles).extracting(KbArticle::id).contains("our-backup-policy", "disk-full-database-growth")
        .doesNotContain("notes");
  }

  @Test
  void brokenExtraArticleStopsStart() throws Exception {
    Files.writeString(directory.resolve("runbook.md"), VALID.replace("tags: [disk, logs]\n", ""));
    KbSettings settings = settings(KbSettings.Retrieval.KEYWORD, Optional.of(directory), Duration.ZERO);

    assertThatThrownBy(() -> KnowledgeBase.start(settings, Runnable::run))
        .isInstanceOf(KbArticleException.class)
        .hasMessage("invalid knowledge-base article [" + directory + "/runbook.md]: front matter field [tags] is missing");
  }

  @Test
  void missingExtraDirIsRejected() {
    Path missing = directory.resolve("absent");
    KbSettings settings = settings(KbSettings.Retrieval.KEYWORD, Optional.of(missing), Duration.ZERO);

    assertThatThrownBy(() -> KbArticles.load(settings))
        .hasMessage("fleet-sre.kb.extra-dir [" + missing + "] is not a directory; create it or set the key to \"\"");
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThatThrownBy(() -> KbSettings.parseRetrieval("vector"))
        .hasMessage("fleet-sre.kb.retrieval: invalid value [vector]; expected embedding or keyword");
    assertThatThrownBy(() -> KbSettings.parseBaseUrl("kb.example.org/hosting"))
        .hasMessageStartingWith("fleet-sre.kb.base-url: invalid value [kb.example.org/hosting]");
    assertThat(KbSettings.parseBaseUrl("https://kb.example.org/x")).hasToString("https://kb.example.org/x/");
    assertThatThrownBy(() -> new KbSettings(KbSettings.Retrieval.KEYWORD, BASE, Optional.empty(), 0, 0.3, 0.8, 4, 0.6,
        Duration.ZERO)).hasMessageContaining("top-k is 0");
  }

  @Test
  void keywordSettingUsesKeywordRetriever() {
    KnowledgeBase kb = KnowledgeBase.start(settings(KbSettings.Retrieval.KEYWORD, Optional.empty(), Duration.ZERO),
        command -> {
          throw new AssertionError("keyword retrieval builds no index in the background");
        });

    assertThat(kb.retriever().name()).isEqualTo("keyword");
    assertThat(kb.related("Too many connections error 1040 from MySQL")).extracting(hit -> hit.article().id())
        .first().isEqualTo("mysql-too-many-connections");
  }

  @Test
  void modelFailureFallsBackToKeyword() throws Exception {
    KnowledgeBase kb = KnowledgeBase.start(settings(KbSettings.Retrieval.EMBEDDING, Optional.empty(),
        Duration.ofSeconds(10)), Runnable::run, (articles, closing) -> {
          throw new UnsatisfiedLinkError("no onnxruntime in java.library.path");
        });

    assertThat(kb.ready().get(10, TimeUnit.SECONDS).name()).isEqualTo("keyword");
    assertThat(kb.retriever().name()).isEqualTo("keyword");
    assertThat(kb.related("certbot failed to renew the Let's Encrypt certificate")).isNotEmpty();
  }

  @Test
  void busyEmbeddingModelFallsBackToKeyword() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    KbRetriever blocking = new KbRetriever() {
      @Override
      public String name() {
        return "embedding";
      }

      @Override
      public List<KbHit> retrieve(String query, int topK) {
        inside.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return List.of();
      }
    };
    KnowledgeBase kb = KnowledgeBase.start(settings(KbSettings.Retrieval.EMBEDDING, Optional.empty(),
        Duration.ofSeconds(10)), Runnable::run, (articles, closing) -> blocking);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      var first = executor.submit(() -> kb.related("disk full"));
      assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

      List<KbHit> second = kb.related("certbot failed to renew the Let's Encrypt certificate");

      assertThat(second).isNotEmpty();
      assertThat(second.get(0).article().title()).containsIgnoringCase("certificate");
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEmpty();
    } finally {
      release.countDown();
      executor.shutdownNow();
    }
  }

  @Test
  void closeWaitsForIndexBuildToStop() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean sawClosing = new AtomicBoolean(false);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      KnowledgeBase kb = KnowledgeBase.start(settings(KbSettings.Retrieval.EMBEDDING, Optional.empty(),
          Duration.ofMillis(50)), executor, (articles, closing) -> {
            started.countDown();
            while (!closing.get()) {
              Thread.onSpinWait();
            }
            sleepQuietly(200);
            sawClosing.set(true);
            throw new CancellationException("stopped");
          });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      kb.close();

      assertThat(sawClosing).isTrue();
      assertThat(kb.ready().get(1, TimeUnit.SECONDS).name()).isEqualTo("keyword");
    } finally {
      executor.shutdownNow();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void slowIndexFallsBackToKeywordUntilReady() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    KbRetriever stub = new KbRetriever() {
      @Override
      public String name() {
        return "embedding";
      }

      @Override
      public List<KbHit> retrieve(String query, int topK) {
        return List.of();
      }
    };
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      KnowledgeBase kb = KnowledgeBase.start(settings(KbSettings.Retrieval.EMBEDDING, Optional.empty(),
          Duration.ofMillis(50)), executor, (articles, closing) -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return stub;
          });

      assertThat(kb.retriever().name()).isEqualTo("keyword");

      release.countDown();
      assertThat(kb.ready().get(10, TimeUnit.SECONDS)).isSameAs(stub);
      assertThat(kb.retriever()).isSameAs(stub);
    } finally {
      executor.shutdownNow();
    }
  }
}
