package agent;

import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Frames text that came from a server so that a model can tell it apart from instructions: the
 * text goes between {@link #open(String)} and {@link #CLOSE}, and any delimiter look-alike inside
 * it is neutralised first, so server output cannot close the block early or open a fake one.
 */
final class UntrustedOutput {

  /** Start of the opening delimiter; the command id and {@code >>>} follow. */
  static final String OPEN_PREFIX = "<<<UNTRUSTED SERVER OUTPUT";
  /** The closing delimiter. */
  static final String CLOSE = "<<<END UNTRUSTED SERVER OUTPUT>>>";
  /** Replacement of a delimiter phrase found inside server output. */
  static final String NEUTRALISED_PHRASE = "(neutralised delimiter text)";

  private static final Pattern ANGLE_RUN = Pattern.compile("<{3,}|>{3,}");
  private static final Pattern PHRASE = Pattern.compile("(?i)untrusted[\\s_-]*server[\\s_-]*output");
  /** Invisible format characters such as zero-width spaces, which could hide a look-alike from the patterns. */
  private static final Pattern FORMAT_CHARACTERS = Pattern.compile("\\p{Cf}");

  private UntrustedOutput() {}

  /** Returns the opening delimiter of the output of {@code commandId}. */
  static String open(String commandId) {
    return OPEN_PREFIX + " commandId=" + neutralise(commandId) + ">>>";
  }

  /**
   * Returns {@code text} with every delimiter look-alike broken: runs of three or more {@code <} or
   * {@code >} get spaces after every second bracket, and the phrase "untrusted server output" in
   * any case or spacing is replaced. Compatibility forms such as full-width brackets are folded to
   * ASCII first (NFKC) and invisible format characters are removed, so they cannot hide a delimiter.
   */
  static String neutralise(String text) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    String folded = FORMAT_CHARACTERS.matcher(Normalizer.normalize(text, Normalizer.Form.NFKC)).replaceAll("");
    Matcher runs = ANGLE_RUN.matcher(folded);
    String broken = runs.replaceAll(run -> Matcher.quoteReplacement(breakRun(run.group())));
    return PHRASE.matcher(broken).replaceAll(Matcher.quoteReplacement(NEUTRALISED_PHRASE));
  }

  private static String breakRun(String run) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < run.length(); i++) {
      if (i > 0 && i % 2 == 0) {
        out.append(' ');
      }
      out.append(run.charAt(i));
    }
    return out.toString();
  }

  /**
   * Returns the first {@code length} characters of {@code text}, one fewer when the cut would split
   * a surrogate pair.
   */
  static String prefix(String text, int length) {
    if (length >= text.length()) {
      return text;
    }
    int end = Math.max(0, length);
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }
}
