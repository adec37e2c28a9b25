package agent.kb;

import java.util.List;

/**
 * One knowledge-base article.
 *
 * @param id the file name without {@code .md}; an article of the extra folder with the id of a
 *     bundled one replaces it
 * @param title the title from the front matter
 * @param url the absolute link, with a relative front-matter url resolved against the base URL
 * @param tags the tags from the front matter, at least one
 * @param body the Markdown after the front matter
 * @param source where the article was read from, for messages
 */
public record KbArticle(String id, String title, String url, List<String> tags, String body, String source) {

  public KbArticle {
    tags = List.copyOf(tags);
  }
}
