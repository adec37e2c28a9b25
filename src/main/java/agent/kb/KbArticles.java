package agent.kb;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads knowledge-base articles: Markdown files whose YAML front matter, between two {@code ---}
 * lines at the top, gives {@code title}, {@code url} and {@code tags}. The bundled articles are
 * the folder {@code kb/} of the source tree, on the classpath as {@code kb-articles/}; a
 * configured extra folder adds to them.
 */
public final class KbArticles {

  /** Folder of the bundled articles on the classpath. */
  static final String BUNDLED_FOLDER = "kb-articles";
  /** Folder name that errors give for the bundled articles: their folder in the source tree. */
  private static final String BUNDLED_LABEL = "kb";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String DELIMITER = "---";

  private KbArticles() {}

  /**
   * Reads the bundled articles, then those of the extra folder, if any, which replace bundled
   * articles of the same id. Fails on the first invalid article.
   */
  public static List<KbArticle> load(KbSettings settings) {
    Map<String, KbArticle> byId = new LinkedHashMap<>();
    for (KbArticle article : readBundled(settings.baseUrl())) {
      byId.put(article.id(), article);
    }
    if (settings.extraDir().isPresent()) {
      Path extra = settings.extraDir().get();
      if (!Files.isDirectory(extra)) {
        throw new IllegalArgumentException(KbSettings.PATH + ".extra-dir [" + extra
            + "] is not a directory; create it or set the key to \"\"");
      }
      for (KbArticle article : readFolder(extra, extra.toString(), settings.baseUrl())) {
        byId.put(article.id(), article);
      }
    }
    return List.copyOf(byId.values());
  }

  /** Reads the articles shipped in the jar (or in {@code target/classes} when run from the build). */
  static List<KbArticle> readBundled(URI baseUrl) {
    URL url = KbArticles.class.getClassLoader().getResource(BUNDLED_FOLDER);
    if (url == null) {
      throw new IllegalStateException("the bundled knowledge base [" + BUNDLED_FOLDER + "/] is missing from the classpath");
    }
    try {
      URI uri = url.toURI();
      if (!uri.getScheme().equals("jar")) {
        return readFolder(Path.of(uri), BUNDLED_LABEL, baseUrl);
      }
      FileSystem jar;
      boolean opened = false;
      try {
        jar = FileSystems.newFileSystem(uri, Map.of());
        opened = true;
      } catch (FileSystemAlreadyExistsException e) {
        jar = FileSystems.getFileSystem(uri);
      }
      try {
        return readFolder(jar.getPath(BUNDLED_FOLDER), BUNDLED_LABEL, baseUrl);
      } finally {
        if (opened) {
          jar.close();
        }
      }
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("failed to read the bundled knowledge base at [" + url + "]: " + e.getMessage(), e);
    }
  }

  /** Reads every {@code *.md} file directly in {@code folder}, in file-name order. */
  static List<KbArticle> readFolder(Path folder, String label, URI baseUrl) {
    List<Path> files;
    try (Stream<Path> children = Files.list(folder)) {
      files = children
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md"))
          .filter(Files::isRegularFile)
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("failed to list the knowledge-base folder [" + folder + "]", e);
    }
    List<KbArticle> articles = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      String source = label + "/" + name;
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("failed to read the knowledge-base article [" + source + "]", e);
      }
      articles.add(parse(source, name.substring(0, name.length() - 3), text, baseUrl));
    }
    return articles;
  }

  /** Parses one article; {@code source} names it in errors. */
  public static KbArticle parse(String source, String id, String text, URI baseUrl) {
    String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<String> lines = content.lines().toList();
    if (lines.isEmpty() || !lines.get(0).strip().equals(DELIMITER)) {
      throw new KbArticleException(source, "", "has no front matter: the file must start with a line [---], "
          + "then title, url and tags, then another line [---]");
    }

    int end = -1;
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(DELIMITER)) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      throw new KbArticleException(source, "", "has no closing [---] line after its front matter");
    }

    JsonNode front;
    try {
      front = YAML.readTree(String.join("\n", lines.subList(1, end)));
    } catch (JacksonException e) {
      throw new KbArticleException(source, "", "has front matter that is not valid YAML: " + e.getOriginalMessage());
    }
    if (front == null || !front.isObject()) {
      throw new KbArticleException(source, "", "has front matter that is not a YAML mapping of title, url and tags");
    }

    String title = requiredText(source, front, "title");
    String url = resolveUrl(source, requiredText(source, front, "url"), baseUrl);
    List<String> tags = requiredTags(source, front);
    String body = String.join("\n", lines.subList(end + 1, lines.size())).strip();
    if (body.isEmpty()) {
      throw new KbArticleException(source, "", "has no text after its front matter");
    }
    return new KbArticle(id, title, url, tags, body, source);
  }

  private static String requiredText(String source, JsonNode front, String field) {
    JsonNode node = front.get(field);
    if (node == null || node.isNull()) {
      throw new KbArticleException(source, field, "is missing");
    }
    if (!node.isValueNode() || node.asText().isBlank()) {
      throw new KbArticleException(source, field, "must be a non-empty text");
    }
    return node.asText().strip();
  }

  private static List<String> requiredTags(String source, JsonNode front) {
    JsonNode node = front.get("tags");
    if (node == null || node.isNull()) {
      throw new KbArticleException(source, "tags", "is missing");
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new KbArticleException(source, "tags", "must be a non-empty list such as [disk, logrotate]");
    }
    List<String> tags = new ArrayList<>();
    for (JsonNode tag : node) {
      if (!tag.isValueNode() || tag.asText().isBlank()) {
        throw new KbArticleException(source, "tags", "must hold only non-empty texts, found [" + tag + "]");
      }
      tags.add(tag.asText().strip());
    }
    return tags;
  }

  /** Resolves a front-matter url: an absolute one must be http(s); a relative one is resolved against the base URL. */
  private static String resolveUrl(String source, String url, URI baseUrl) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new KbArticleException(source, "url", "is not a valid URL [" + url + "]: " + e.getReason());
    }
    if (uri.isAbsolute()) {
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
        throw new KbArticleException(source, "url", "must be an http(s) URL or a path relative to "
            + KbSettings.PATH + ".base-url, found [" + url + "]");
      }
      return uri.toString();
    }
    return baseUrl.resolve(uri).toString();
  }
}
