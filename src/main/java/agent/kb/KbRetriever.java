package agent.kb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Finds the articles related to a query text. Implementations are thread-safe. */
public interface KbRetriever {

  /** Short name for logs: {@code embedding} or {@code keyword}. */
  String name();

  /**
   * Returns at most {@code topK} articles whose score reaches the retriever's minimum, best first.
   * An empty or blank query returns no article.
   */
  List<KbHit> retrieve(String query, int topK);

  /**
   * Returns the best {@code topK} of {@code scored}, keeping only hits that reach {@code minScore}
   * and at least {@code minRelativeScore} times the best hit's score, best first. The relative cut
   * drops articles that only share the query's vocabulary with a much better match.
   */
  static List<KbHit> select(List<KbHit> scored, double minScore, double minRelativeScore, int topK) {
    List<KbHit> hits = new ArrayList<>(scored);
    hits.sort(Comparator.comparingDouble(KbHit::score).reversed());
    if (hits.isEmpty() || hits.get(0).score() < minScore) {
      return List.of();
    }
    double floor = Math.max(minScore, hits.get(0).score() * minRelativeScore);
    return hits.stream().filter(hit -> hit.score() >= floor).limit(topK).toList();
  }
}
