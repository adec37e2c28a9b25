package agent.kb;

import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings of the knowledge base, from {@code fleet-sre.kb}.
 *
 * @param retrieval how related articles are found
 * @param baseUrl absolute http(s) URL that relative article urls are resolved against; ends with a slash
 * @param extraDir a folder of further articles, read after the bundled ones; empty for none
 * @param topK articles linked per insight at most
 * @param embeddingMinScore least cosine similarity between query and article for the embedding retriever
 * @param embeddingMinRelativeScore least share of the best article's similarity that another article needs
 * @param keywordMinScore least BM25 score of an article for the keyword retriever
 * @param keywordMinRelativeScore least share of the best article's BM25 score that another article needs
 * @param indexWait how long a query waits for the embedding index built at start before it falls back to keyword retrieval
 * @param embeddingMaxConcurrent queries that use the embedding model at once. A query that finds it
 *     busy uses keyword retrieval, so an alert storm is not slowed to the model's pace
 */
public record KbSettings(
    Retrieval retrieval,
    URI baseUrl,
    Optional<Path> extraDir,
    int topK,
    double embeddingMinScore,
    double embeddingMinRelativeScore,
    double keywordMinScore,
    double keywordMinRelativeScore,
    Duration indexWait,
    int embeddingMaxConcurrent) {

  /** Path of the block in the configuration. */
  public static final String PATH = "fleet-sre.kb";

  /** Method of finding related articles. */
  public enum Retrieval {
    /** Sentence embeddings from the in-process all-MiniLM-L6-v2 model, with keyword retrieval as fallback. */
    EMBEDDING,
    /** BM25 over title, tags and body. */
    KEYWORD
  }

  public KbSettings {
    if (topK < 1) {
      throw new IllegalArgumentException(PATH + ".top-k is " + topK + ": expected at least 1");
    }
    if (embeddingMinScore < -1 || embeddingMinScore > 1) {
      throw new IllegalArgumentException(PATH + ".embedding.min-score is " + embeddingMinScore
          + ": expected a cosine similarity from -1 to 1");
    }
    requireShare("embedding.min-relative-score", embeddingMinRelativeScore);
    requireShare("keyword.min-relative-score", keywordMinRelativeScore);
    if (keywordMinScore < 0) {
      throw new IllegalArgumentException(PATH + ".keyword.min-score is " + keywordMinScore + ": expected 0 or more");
    }
    if (embeddingMaxConcurrent < 1) {
      throw new IllegalArgumentException(PATH + ".embedding.max-concurrent is " + embeddingMaxConcurrent
          + ": expected at least 1");
    }
  }

  /** Settings with one embedding query at a time. */
  public KbSettings(Retrieval retrieval, URI baseUrl, Optional<Path> extraDir, int topK, double embeddingMinScore,
      double embeddingMinRelativeScore, double keywordMinScore, double keywordMinRelativeScore, Duration indexWait) {
    this(retrieval, baseUrl, extraDir, topK, embeddingMinScore, embeddingMinRelativeScore, keywordMinScore,
        keywordMinRelativeScore, indexWait, 1);
  }

  /** Reads the {@code fleet-sre.kb} block. */
  public static KbSettings fromConfig(Config kb) {
    String extra = kb.getString("extra-dir").trim();
    return new KbSettings(
        parseRetrieval(kb.getString("retrieval")),
        parseBaseUrl(kb.getString("base-url")),
        extra.isEmpty() ? Optional.empty() : Optional.of(Path.of(extra)),
        kb.getInt("top-k"),
        kb.getDouble("embedding.min-score"),
        kb.getDouble("embedding.min-relative-score"),
        kb.getDouble("keyword.min-score"),
        kb.getDouble("keyword.min-relative-score"),
        kb.getDuration("index-wait"),
        kb.getInt("embedding.max-concurrent"));
  }

  /** Returns a copy of these settings with another retrieval. */
  public KbSettings withRetrieval(Retrieval other) {
    return new KbSettings(other, baseUrl, extraDir, topK, embeddingMinScore, embeddingMinRelativeScore,
        keywordMinScore, keywordMinRelativeScore, indexWait, embeddingMaxConcurrent);
  }

  private static void requireShare(String key, double value) {
    if (value < 0 || value > 1) {
      throw new IllegalArgumentException(PATH + "." + key + " is " + value + ": expected a share from 0 to 1");
    }
  }

  static Retrieval parseRetrieval(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "embedding" -> Retrieval.EMBEDDING;
      case "keyword" -> Retrieval.KEYWORD;
      default -> throw new IllegalArgumentException(
          PATH + ".retrieval: invalid value [" + value + "]; expected embedding or keyword");
    };
  }

  static URI parseBaseUrl(String value) {
    String text = value.trim();
    if (!text.endsWith("/")) {
      text = text + "/";
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
        throw new IllegalArgumentException(PATH + ".base-url: invalid value [" + value
            + "]; expected an absolute http or https URL such as https://kb.example.org/hosting/");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(PATH + ".base-url: invalid value [" + value + "]: " + e.getMessage(), e);
    }
  }
}
