package agent;

import java.time.Instant;
import java.util.List;

/**
 * The judge guidelines in force: a versioned list that the model judge's prompt includes. Each
 * guideline usually comes from a reviewer's finding; the version grows by one with every change,
 * and each verdict records the version that judged it.
 *
 * @param version 0 for the empty list, then 1, 2, ...
 * @param items the guidelines, oldest first
 */
public record Guidelines(int version, List<Guidelines.Guideline> items) {

  public static final Guidelines EMPTY = new Guidelines(0, List.of());

  public Guidelines {
    items = List.copyOf(items);
  }

  /**
   * One guideline.
   *
   * @param id stable identifier, for example {@code g-3}
   * @param text the instruction to the judge, in one or two sentences
   * @param source where it came from: a review id, or {@code manual}
   * @param addedAt when it was added
   */
  public record Guideline(String id, String text, String source, Instant addedAt) {}

  /** Source of the current guidelines, which a judge reads for each verdict. */
  @FunctionalInterface
  public interface Source {
    Guidelines current();

    Source NONE = () -> EMPTY;
  }
}
