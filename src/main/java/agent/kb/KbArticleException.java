package agent.kb;

/** An article that cannot be read: its file and the front-matter field at fault are named. */
public final class KbArticleException extends IllegalArgumentException {

  private final String source;
  private final String field;

  KbArticleException(String source, String field, String problem) {
    super("invalid knowledge-base article [" + source + "]: "
        + (field.isEmpty() ? "" : "front matter field [" + field + "] ") + problem);
    this.source = source;
    this.field = field;
  }

  /** Returns the file the article was read from. */
  public String source() {
    return source;
  }

  /** Returns the front-matter field at fault, or empty when the problem is not one field. */
  public String field() {
    return field;
  }
}
