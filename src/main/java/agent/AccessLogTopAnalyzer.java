package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ranking of the clients, user agents and paths in the newest lines of one access log: {@code tail -n N FILE}. Reads the
 * nginx and Apache combined format, also with a leading virtual host ({@code vhost_combined},
 * {@code host:port}) and with IPv6 client addresses.
 */
public final class AccessLogTopAnalyzer implements Analyzer {

  public static final String NAME = "access-log-top";

  /** Paths probed by brute-force and scanning bots. */
  public static final List<String> DEFAULT_ABUSE_PATHS = List.of("/xmlrpc.php", "/wp-login.php", "/.env");

  /** Paths listed with their top client but not counted as abuse: the WordPress front end calls them too. */
  public static final List<String> DEFAULT_NOTE_ONLY_PATHS = List.of("/wp-admin/admin-ajax.php");

  /** User agent substrings of crawlers and scripted clients that often cause load. */
  public static final List<String> DEFAULT_BOT_AGENTS = List.of(
      "AhrefsBot", "SemrushBot", "MJ12bot", "DotBot", "PetalBot", "Bytespider", "GPTBot",
      "python-requests", "Go-http-client", "curl");

  /** How many entries each top list keeps. */
  public static final int TOP = 10;

  private static final String QUOTED = "\"((?:[^\"\\\\]|\\\\.)*)\"";
  private static final Pattern LINE = Pattern.compile(
      "^(?:(\\S+)\\s+)?(\\S+)\\s+\\S+\\s+(\\S+)\\s+\\[([^\\]]+)\\]\\s+" + QUOTED
          + "\\s+(\\d{3}|-)\\s+(\\d+|-)(?:\\s+" + QUOTED + "\\s+" + QUOTED + ")?.*$");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
  private static final int MAX_UNPARSED_SAMPLES = 3;

  private final List<String> abusePaths;
  private final List<String> noteOnlyPaths;
  private final List<String> botAgents;

  public AccessLogTopAnalyzer() {
    this(DEFAULT_ABUSE_PATHS, DEFAULT_NOTE_ONLY_PATHS, DEFAULT_BOT_AGENTS);
  }

  public AccessLogTopAnalyzer(List<String> abusePaths, List<String> noteOnlyPaths, List<String> botAgents) {
    this.abusePaths = List.copyOf(abusePaths);
    this.noteOnlyPaths = List.copyOf(noteOnlyPaths);
    this.botAgents = List.copyOf(botAgents);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Reads the newest lines of one access log and ranks client IPs, user agents, paths and statuses, "
        + "flagging brute-force paths and known bots.";
  }

  /** Renders {@code tail -n N FILE}: param {@code file}, N from the profile's access log lines. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    String file = Argv.absolutePath("file", Json.text(params, "file"));
    if (profile.accessLogLines() <= 0) {
      throw new IllegalArgumentException(
          "stack profile access-log-lines is " + profile.accessLogLines() + ": expected a positive number");
    }
    return List.of("tail", "-n", Integer.toString(profile.accessLogLines()), file);
  }

  /**
   * Returns {@code {lines, parsed, unparsed, window, topClients, topUserAgents, topPaths, statuses,
   * abusePaths}}. Each user agent comes with the number of distinct clients that sent it and its
   * most requested path. Paths are counted without their query string, which also keeps tokens in query
   * strings out of the findings.
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    Counter<String> clients = new Counter<>();
    Counter<String> agents = new Counter<>();
    Counter<String> paths = new Counter<>();
    Counter<String> statuses = new Counter<>();
    Map<String, Counter<String>> pathsByClient = new HashMap<>();
    Map<String, Counter<String>> agentsByClient = new HashMap<>();
    Map<String, Counter<String>> clientsByAgent = new HashMap<>();
    Map<String, Counter<String>> pathsByAgent = new HashMap<>();
    Map<String, Counter<String>> clientsByWatchedPath = new HashMap<>();
    OffsetDateTime first = null;
    OffsetDateTime last = null;
    int lines = 0;
    int parsed = 0;
    ArrayNode unparsedSamples = Json.array();

    for (String line : Outputs.lines(output.stdout())) {
      if (line.isBlank()) {
        continue;
      }
      lines++;
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        if (unparsedSamples.size() < MAX_UNPARSED_SAMPLES) {
          unparsedSamples.add(line.length() > 300 ? line.substring(0, 300) : line);
        }
        continue;
      }
      parsed++;
      String ip = m.group(2);
      String path = pathOf(m.group(5));
      String agent = m.group(9) == null ? "-" : unescape(m.group(9));
      clients.add(ip);
      agents.add(agent);
      paths.add(path);
      statuses.add(m.group(6));
      pathsByClient.computeIfAbsent(ip, k -> new Counter<>()).add(path);
      agentsByClient.computeIfAbsent(ip, k -> new Counter<>()).add(agent);
      clientsByAgent.computeIfAbsent(agent, k -> new Counter<>()).add(ip);
      pathsByAgent.computeIfAbsent(agent, k -> new Counter<>()).add(path);
      String watched = watchedPath(path);
      if (watched != null) {
        clientsByWatchedPath.computeIfAbsent(watched, k -> new Counter<>()).add(ip);
      }
      OffsetDateTime time = parseTime(m.group(4));
      if (time != null) {
        first = first == null || time.isBefore(first) ? time : first;
        last = last == null || time.isAfter(last) ? time : last;
      }
    }

    findings.put("lines", lines);
    findings.put("parsed", parsed);
    findings.put("unparsed", lines - parsed);
    if (!unparsedSamples.isEmpty()) {
      findings.set("unparsedSamples", unparsedSamples);
    }
    if (first != null) {
      ObjectNode window = findings.putObject("window");
      window.put("from", first.toString());
      window.put("to", last.toString());
      window.put("seconds", last.toEpochSecond() - first.toEpochSecond());
    }

    ArrayNode topClients = findings.putArray("topClients");
    for (Map.Entry<String, Integer> client : clients.top(TOP)) {
      ObjectNode node = topClients.addObject();
      node.put("ip", client.getKey());
      node.put("requests", client.getValue());
      node.put("share", share(client.getValue(), parsed));
      ArrayNode clientPaths = node.putArray("topPaths");
      for (Map.Entry<String, Integer> path : pathsByClient.get(client.getKey()).top(3)) {
        clientPaths.addObject().put("path", path.getKey()).put("requests", path.getValue());
      }
      node.put("userAgent", agentsByClient.get(client.getKey()).top(1).get(0).getKey());
    }

    ArrayNode topAgents = findings.putArray("topUserAgents");
    for (Map.Entry<String, Integer> agent : agents.top(TOP)) {
      ObjectNode node = topAgents.addObject();
      node.put("userAgent", agent.getKey());
      node.put("requests", agent.getValue());
      node.put("share", share(agent.getValue(), parsed));
      node.put("clients", clientsByAgent.get(agent.getKey()).entries().size());
      node.put("topPath", pathsByAgent.get(agent.getKey()).top(1).get(0).getKey());
      String bot = botName(agent.getKey());
      node.put("bot", bot != null);
      if (bot != null) {
        node.put("botName", bot);
      }
    }

    ArrayNode topPaths = findings.putArray("topPaths");
    for (Map.Entry<String, Integer> path : paths.top(TOP)) {
      topPaths.addObject().put("path", path.getKey()).put("requests", path.getValue())
          .put("share", share(path.getValue(), parsed));
    }

    ObjectNode statusNode = findings.putObject("statuses");
    statuses.entries().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> statusNode.put(e.getKey(), e.getValue()));

    ArrayNode abuse = findings.putArray("abusePaths");
    List<String> watchedPaths = new ArrayList<>(abusePaths);
    watchedPaths.addAll(noteOnlyPaths);
    for (String watched : watchedPaths) {
      Counter<String> byClient = clientsByWatchedPath.get(watched);
      if (byClient == null) {
        continue;
      }
      Map.Entry<String, Integer> topIp = byClient.top(1).get(0);
      ObjectNode node = abuse.addObject();
      node.put("path", watched);
      node.put("requests", byClient.total());
      node.put("share", share(byClient.total(), parsed));
      node.put("topIp", topIp.getKey());
      node.put("topIpRequests", topIp.getValue());
      node.put("noteOnly", noteOnlyPaths.contains(watched));
    }
    return findings;
  }

  /** Returns the configured bot substring found in the user agent, or null. */
  String botName(String userAgent) {
    String lower = userAgent.toLowerCase(Locale.ROOT);
    for (String bot : botAgents) {
      if (lower.contains(bot.toLowerCase(Locale.ROOT))) {
        return bot;
      }
    }
    return null;
  }

  private String watchedPath(String path) {
    for (String watched : abusePaths) {
      if (path.endsWith(watched)) {
        return watched;
      }
    }
    for (String watched : noteOnlyPaths) {
      if (path.endsWith(watched)) {
        return watched;
      }
    }
    return null;
  }

  /** Returns the path of a request line without its query string, or {@code -} when the line is not METHOD PATH PROTOCOL. */
  private static String pathOf(String requestLine) {
    String[] parts = requestLine.split(" ");
    if (parts.length < 2 || !parts[1].startsWith("/")) {
      return "-";
    }
    String target = parts[1];
    int query = target.indexOf('?');
    return query >= 0 ? target.substring(0, query) : target;
  }

  private static String unescape(String quoted) {
    return quoted.replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private static OffsetDateTime parseTime(String text) {
    try {
      return OffsetDateTime.parse(text, TIME);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static double share(int part, int total) {
    return total == 0 ? 0 : Outputs.round((double) part / total, 4);
  }

  /** Occurrence counts with a deterministic top list: by count descending, then by key. */
  static final class Counter<K extends Comparable<K>> {
    private final Map<K, Integer> counts = new HashMap<>();
    private int total;

    void add(K key) {
      counts.merge(key, 1, Integer::sum);
      total++;
    }

    int total() {
      return total;
    }

    List<Map.Entry<K, Integer>> entries() {
      return new ArrayList<>(counts.entrySet());
    }

    List<Map.Entry<K, Integer>> top(int limit) {
      return counts.entrySet().stream()
          .sorted(Comparator.<Map.Entry<K, Integer>>comparingInt(e -> -e.getValue())
              .thenComparing(Map.Entry::getKey))
          .limit(limit)
          .map(e -> Map.entry(e.getKey(), e.getValue()))
          .toList();
    }
  }
}
