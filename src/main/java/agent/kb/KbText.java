package agent.kb;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Text handling shared by the retrievers: Markdown to plain text, sections, terms. */
public final class KbText {

  private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");
  private static final Pattern BARE_URL = Pattern.compile("https?://\\S+");
  private static final Pattern MARKUP = Pattern.compile("[`*_>#|]+");
  private static final Pattern CAMEL_BOUNDARY = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
  private static final Pattern TERM = Pattern.compile("[a-z0-9]+");

  /**
   * Words too common in hosting text to tell articles apart, and the parts of example names and
   * paths that every article and insight contains.
   */
  private static final Set<String> STOP_WORDS = Set.of(
      "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have",
      "if", "in", "into", "is", "it", "its", "no", "not", "of", "on", "or", "so", "than", "that", "the", "their",
      "then", "there", "these", "this", "those", "to", "was", "were", "when", "which", "while", "with", "you",
      "your", "will", "what", "who", "how", "all", "any", "each", "one", "more", "most", "other", "only", "also",
      "some", "such", "them", "they", "we", "our", "after", "before", "about", "over", "under", "up", "out",
      "host", "server", "instance", "site", "sites", "example", "com", "org", "net", "www", "usr", "bin", "sbin",
      "var", "etc", "pid", "time", "times", "last", "new", "use", "uses", "used");

  private KbText() {}

  /** Markdown to plain text: link targets, bare URLs and markup characters removed, link texts kept. */
  static String plain(String markdown) {
    String text = LINK.matcher(markdown).replaceAll("$1");
    text = BARE_URL.matcher(text).replaceAll(" ");
    text = MARKUP.matcher(text).replaceAll(" ");
    return text.replaceAll("\\s+", " ").strip();
  }

  /** Splits an identifier such as the alert kind {@code HostHighCpuLoad} or {@code disk_full} into words. */
  public static String words(String identifier) {
    String spaced = CAMEL_BOUNDARY.matcher(identifier).replaceAll(" ");
    return spaced.replace('_', ' ').replace('-', ' ').strip();
  }

  /**
   * Splits an article body into passages: each paragraph, list or table, prefixed with the
   * heading of its section. Fenced code blocks are left out because commands tell little about
   * what a passage is about. Text before the first heading has no prefix.
   */
  static List<String> passages(String body) {
    List<String> passages = new ArrayList<>();
    String heading = "";
    StringBuilder paragraph = new StringBuilder();
    boolean inCode = false;
    for (String line : body.lines().toList()) {
      String stripped = line.strip();
      if (stripped.startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      if (inCode) {
        continue;
      }
      if (stripped.startsWith("#") || stripped.isEmpty()) {
        addPassage(passages, heading, paragraph);
        if (stripped.startsWith("#")) {
          heading = stripped.replaceFirst("^#+\\s*", "");
        }
        continue;
      }
      paragraph.append(line).append('\n');
    }
    addPassage(passages, heading, paragraph);
    return passages;
  }

  private static void addPassage(List<String> passages, String heading, StringBuilder paragraph) {
    String text = plain(paragraph.toString());
    paragraph.setLength(0);
    if (!text.isEmpty()) {
      passages.add(heading.isEmpty() ? text : heading + ": " + text);
    }
  }

  /** Lower-case terms of a text, without stop words, each reduced by {@link #stem}. */
  static List<String> terms(String text) {
    List<String> terms = new ArrayList<>();
    Matcher matcher = TERM.matcher(text.toLowerCase(Locale.ROOT));
    while (matcher.find()) {
      String term = matcher.group();
      if (term.length() < 2 || STOP_WORDS.contains(term) || isShortNumber(term)) {
        continue;
      }
      terms.add(stem(term));
    }
    return terms;
  }

  /** Tells a number of one or two digits, a count or a percentage in an insight rather than a topic (unlike 502 or 1040). */
  private static boolean isShortNumber(String term) {
    return term.length() <= 2 && term.chars().allMatch(Character::isDigit);
  }

  /**
   * Strips common English inflections so that "connections" matches "connection" and "rotated"
   * matches "rotate": a plural or -ing/-ed ending, then a final "e". A light suffix rule, not a
   * full stemmer. Words of three letters or fewer and words ending in a digit are kept as they are.
   */
  static String stem(String term) {
    if (term.length() <= 3 || Character.isDigit(term.charAt(term.length() - 1))) {
      return term;
    }
    String root = term;
    if (root.endsWith("ies")) {
      root = root.substring(0, root.length() - 3) + "y";
    } else if (root.endsWith("s") && !root.endsWith("ss") && !root.endsWith("us") && !root.endsWith("is")) {
      root = root.substring(0, root.length() - 1);
    } else if (root.endsWith("ing") && root.length() >= 6) {
      root = root.substring(0, root.length() - 3);
    } else if (root.endsWith("ed") && root.length() >= 5) {
      root = root.substring(0, root.length() - 2);
    }
    if (root.endsWith("e") && root.length() > 3) {
      root = root.substring(0, root.length() - 1);
    }
    return root;
  }
}
