package fleet;

/**
 * Cleans command output before it is stored, logged or shown: a host's output may carry terminal
 * escape sequences or other control characters that would rewrite a terminal or a log line.
 */
public final class OutputSanitizer {

  private OutputSanitizer() {}

  /**
   * Removes every control character (Unicode category Cc: U+0000..U+001F, U+007F..U+009F) except
   * line feed and tab. A carriage return is removed too, so CRLF output reads as LF.
   */
  public static String clean(String text) {
    StringBuilder cleaned = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean keep = !Character.isISOControl(c) || c == '\n' || c == '\t';
      if (!keep && cleaned == null) {
        cleaned = new StringBuilder(text.length());
        cleaned.append(text, 0, i);
      }
      if (keep && cleaned != null) {
        cleaned.append(c);
      }
    }
    return cleaned == null ? text : cleaned.toString();
  }
}
