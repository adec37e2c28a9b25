package agent.kb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * BM25 over the title, tags and body of each article. A term in the title or the tags counts as
 * {@value #FIELD_BOOST} occurrences, because those name what an article is about; the body adds
 * its own occurrences. Scores are BM25 units (unbounded, higher is better), so the minimum score
 * is a number of that scale, not a similarity.
 */
public final class KeywordRetriever implements KbRetriever {

  static final int FIELD_BOOST = 3;
  private static final double K1 = 1.2;
  private static final double B = 0.75;

  private final List<KbArticle> articles;
  private final List<Map<String, Integer>> termCounts = new ArrayList<>();
  private final double[] lengths;
  private final Map<String, Integer> documentFrequency = new HashMap<>();
  private final double averageLength;
  private final double minScore;
  private final double minRelativeScore;

  public KeywordRetriever(List<KbArticle> articles, double minScore, double minRelativeScore) {
    this.articles = List.copyOf(articles);
    this.minScore = minScore;
    this.minRelativeScore = minRelativeScore;
    this.lengths = new double[this.articles.size()];
    double total = 0;
    for (int i = 0; i < this.articles.size(); i++) {
      KbArticle article = this.articles.get(i);
      Map<String, Integer> counts = new HashMap<>();
      List<String> fields = new ArrayList<>(KbText.terms(article.title()));
      fields.addAll(KbText.terms(String.join(" ", article.tags())));
      for (String term : fields) {
        counts.merge(term, FIELD_BOOST, Integer::sum);
      }
      for (String term : KbText.terms(KbText.plain(article.body()))) {
        counts.merge(term, 1, Integer::sum);
      }
      termCounts.add(counts);
      for (String term : counts.keySet()) {
        documentFrequency.merge(term, 1, Integer::sum);
      }
      lengths[i] = counts.values().stream().mapToInt(Integer::intValue).sum();
      total += lengths[i];
    }
    this.averageLength = this.articles.isEmpty() ? 1 : total / this.articles.size();
  }

  @Override
  public String name() {
    return "keyword";
  }

  @Override
  public List<KbHit> retrieve(String query, int topK) {
    LinkedHashSet<String> queryTerms = new LinkedHashSet<>(KbText.terms(query));
    List<KbHit> hits = new ArrayList<>();
    for (int i = 0; i < articles.size(); i++) {
      double score = score(queryTerms, i);
      if (score > 0) {
        hits.add(new KbHit(articles.get(i), score));
      }
    }
    return KbRetriever.select(hits, minScore, minRelativeScore, topK);
  }

  private double score(Iterable<String> queryTerms, int document) {
    Map<String, Integer> counts = termCounts.get(document);
    double n = articles.size();
    double score = 0;
    for (String term : queryTerms) {
      Integer tf = counts.get(term);
      if (tf == null) {
        continue;
      }
      int df = documentFrequency.get(term);
      double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      double norm = tf + K1 * (1 - B + B * lengths[document] / averageLength);
      score += idf * tf * (K1 + 1) / norm;
    }
    return score;
  }
}
