package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Too many requests, or too many failing ones: find the access logs, then rank who sends the
 * requests in the newest ones. When many requests got a 5xx status, step 3 reads the error logs.
 * Concludes with the top client or crawler, abused paths and bots, and blocking or rate limiting
 * fixes, or with the cause that the error logs name when no client sends a large share.
 */
final class ExcessiveRequestsPlaybook implements Playbook {

  private static final Pattern ROTATED = Pattern.compile("(\\.\\d+|\\.gz|\\.bz2|\\.xz|\\.zst|-\\d{8})$");
  private static final Pattern IPV4 =
      Pattern.compile("^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9a-fA-F:]{2,39}$");

  private final Planner planner;
  private final int maxLogs;
  private final double blockShare;
  private final double errorStatusShare;

  ExcessiveRequestsPlaybook(Planner planner, Config settings) {
    this.planner = planner;
    this.maxLogs = settings.getInt("max-logs");
    this.blockShare = settings.getDouble("block-share");
    this.errorStatusShare = settings.getDouble("error-status-share");
  }

  @Override
  public String id() {
    return PlaybookBrain.EXCESSIVE_REQUESTS;
  }

  @Override
  public List<Brain.PlannedCommand> step(int step, Investigation investigation) {
    if (step == 1) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (JsonNode params : AccessLogFilesAnalyzer.paramsPerGlob(null, planner.profile())) {
        commands.add(planner.plan(AccessLogFilesAnalyzer.NAME, params,
            "Find the access logs named " + params.get("name").asText()));
      }
      return commands;
    }
    if (step == 2) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (String file : newestLogs(investigation)) {
        commands.add(planner.plan(AccessLogTopAnalyzer.NAME, Planner.params("file", file),
            "Rank the clients, paths and user agents of " + file));
      }
      return commands;
    }
    if (step == 3 && serverErrors(investigation.usable(AccessLogTopAnalyzer.NAME)).share() >= errorStatusShare) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (String log : planner.profile().errorLogs()) {
        commands.add(planner.plan(LogErrorsAnalyzer.NAME, Planner.params("file", log),
            "Why requests fail with a 5xx status: " + log));
      }
      return commands;
    }
    return List.of();
  }

  /**
   * The requests with a 5xx status in the analysed logs.
   *
   * @param count requests with a 5xx status
   * @param parsed requests parsed
   * @param byStatus count per 5xx status, e.g. 504 -> 612
   */
  private record ServerErrors(int count, int parsed, Map<String, Integer> byStatus) {
    double share() {
      return parsed == 0 ? 0 : (double) count / parsed;
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      byStatus.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .forEach(e -> parts.add(e.getKey() + ": " + e.getValue()));
      return Shell.percent(share()) + " of the requests (" + count + " of " + parsed + ") got a 5xx status ("
          + String.join(", ", parts) + ")";
    }
  }

  private static ServerErrors serverErrors(List<TranscriptEntry> logs) {
    int count = 0;
    int parsed = 0;
    Map<String, Integer> byStatus = new TreeMap<>();
    for (TranscriptEntry entry : logs) {
      parsed += entry.findings().path("parsed").asInt();
      Iterator<Map.Entry<String, JsonNode>> statuses = entry.findings().path("statuses").fields();
      while (statuses.hasNext()) {
        Map.Entry<String, JsonNode> status = statuses.next();
        if (status.getKey().startsWith("5")) {
          count += status.getValue().asInt();
          byStatus.merge(status.getKey(), status.getValue().asInt(), Integer::sum);
        }
      }
    }
    return new ServerErrors(count, parsed, byStatus);
  }

  /** Returns the newest non-empty, non-rotated access logs found in step 1, at most {@code max-logs}. */
  private List<String> newestLogs(Investigation investigation) {
    Map<String, JsonNode> byPath = new LinkedHashMap<>();
    for (TranscriptEntry entry : investigation.usable(AccessLogFilesAnalyzer.NAME)) {
      for (JsonNode file : Json.elements(entry.findings().get("files"))) {
        String path = file.get("path").asText();
        if (file.get("bytes").asLong() > 0 && !ROTATED.matcher(path).find()) {
          byPath.put(path, file);
        }
      }
    }
    return byPath.values().stream()
        .sorted(Comparator.<JsonNode>comparingLong(f -> -f.get("modified").asLong())
            .thenComparing(f -> f.get("path").asText()))
        .limit(maxLogs)
        .map(f -> f.get("path").asText())
        .toList();
  }

  @Override
  public Conclusion conclude(Investigation investigation) {
    Conclusion conclusion = new Conclusion();
    List<TranscriptEntry> logs = investigation.usable(AccessLogTopAnalyzer.NAME);
    if (logs.isEmpty()) {
      boolean listed = !investigation.usable(AccessLogFilesAnalyzer.NAME).isEmpty();
      conclusion.summary = listed
          ? "No non-empty access log was found in " + String.join(", ", planner.profile().logDirs()) + "."
          : "The access logs could not be listed.";
      conclusion.rootCause = "Unknown: no access log lines were analysed.";
      conclusion.remediation.add("Check where the web server writes its access logs and add them to the stack "
          + "profile's log-dirs and access-log-names.");
      return conclusion;
    }

    // Sum each client over the analysed logs; remember the log where it sent the most requests.
    Map<String, Integer> requests = new LinkedHashMap<>();
    Map<String, JsonNode> bestClient = new LinkedHashMap<>();
    Map<String, TranscriptEntry> bestEntry = new LinkedHashMap<>();
    int parsed = 0;
    for (TranscriptEntry entry : logs) {
      parsed += entry.findings().path("parsed").asInt();
      for (JsonNode client : Json.elements(entry.findings().get("topClients"))) {
        String ip = client.get("ip").asText();
        int count = client.get("requests").asInt();
        requests.merge(ip, count, Integer::sum);
        if (!bestClient.containsKey(ip) || bestClient.get(ip).get("requests").asInt() < count) {
          bestClient.put(ip, client);
          bestEntry.put(ip, entry);
        }
      }
    }
    if (requests.isEmpty()) {
      conclusion.summary = "The newest access log lines hold no parsable request.";
      conclusion.rootCause = "Unknown: the access log format was not recognised.";
      conclusion.remediation.add("Check that the access logs use the combined log format.");
      return conclusion;
    }
    String topIp = requests.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .findFirst().orElseThrow().getKey();
    int topRequests = requests.get(topIp);
    double share = parsed == 0 ? 0 : (double) topRequests / parsed;
    JsonNode client = bestClient.get(topIp);
    TranscriptEntry clientEntry = bestEntry.get(topIp);
    String logFile = Investigation.paramOf(clientEntry, "file");
    JsonNode mainPath = client.path("topPaths").path(0);
    String path = mainPath.path("path").asText("-");

    String claim = topIp + " sent " + topRequests + " of " + parsed + " requests (" + Shell.percent(share)
        + "), mostly " + path + " (" + mainPath.path("requests").asInt() + "), user agent \""
        + client.path("userAgent").asText("-") + "\"";
    conclusion.evidence(Investigation.evidence(claim, clientEntry, topIp + " ", claim));
    String window = windowText(clientEntry.findings());

    List<String> abuseNotes = new ArrayList<>();
    boolean xmlrpc = false;
    boolean login = false;
    boolean dotEnv = false;
    for (TranscriptEntry entry : logs) {
      for (JsonNode abuse : Json.elements(entry.findings().get("abusePaths"))) {
        String abusePath = abuse.get("path").asText();
        String text = abusePath + ": " + abuse.get("requests").asInt() + " requests in "
            + Investigation.paramOf(entry, "file") + ", most from " + abuse.get("topIp").asText()
            + " (" + abuse.get("topIpRequests").asInt() + ")";
        if (abuse.path("noteOnly").asBoolean()) {
          conclusion.remediation.add("Noted, usually legitimate: " + text + ".");
          continue;
        }
        abuseNotes.add(abusePath);
        conclusion.evidence(Investigation.evidence("Abused path " + text, entry, abusePath, text));
        xmlrpc |= abusePath.endsWith("xmlrpc.php");
        login |= abusePath.endsWith("wp-login.php");
        dotEnv |= abusePath.endsWith(".env");
      }
    }
    List<String> bots = new ArrayList<>();
    for (TranscriptEntry entry : logs) {
      for (JsonNode agent : Json.elements(entry.findings().get("topUserAgents"))) {
        if (agent.path("bot").asBoolean()) {
          String name = agent.path("botName").asText(agent.get("userAgent").asText());
          String text = "Bot " + name + " sent " + agent.get("requests").asInt() + " requests ("
              + Shell.percent(agent.get("share").asDouble()) + ") in " + Investigation.paramOf(entry, "file");
          conclusion.evidence(Investigation.evidence(text, entry, name, agent.get("userAgent").asText()));
          if (!bots.contains(name)) {
            bots.add(name);
          }
        }
      }
    }

    StringBuilder summary = new StringBuilder("Client ").append(topIp).append(" sent ")
        .append(Shell.percent(share)).append(" of the requests").append(window).append(", mostly to ")
        .append(path).append(" on ").append(logFile).append('.');
    if (!abuseNotes.isEmpty()) {
      summary.append(" Abused paths: ").append(String.join(", ", abuseNotes)).append('.');
    }
    if (!bots.isEmpty()) {
      summary.append(" Known bots: ").append(String.join(", ", bots)).append('.');
    }
    conclusion.rootCause = topIp + " sends " + topRequests + " requests (" + Shell.percent(share) + ") to " + path
        + (share >= blockShare ? ", far more than any browser" : "") + ".";

    boolean apache = logFile != null && (logFile.contains("apache") || logFile.contains("httpd"));
    Crawler crawler = share >= blockShare ? null : dominantCrawler(logs, share);
    if (crawler != null) {
      String crawlerClaim = crawler.describe();
      conclusion.evidence(Investigation.evidence(crawlerClaim, crawler.entry(), crawler.name(), crawlerClaim));
      summary.insert(0, crawlerClaim + ". No single address stands out. ");
      conclusion.rootCause = crawlerClaim + ", so blocking addresses does not help: its user agent is the cause.";
      addCrawlerFix(conclusion, crawler.name(), apache);
    }

    ServerErrors errors = serverErrors(logs);
    List<KnownLogIssues.Found> known = KnownLogIssues.collect(investigation, KnownLogIssues.phpFpmUnit(planner.profile()));
    KnownLogIssues.apply(conclusion, known);
    StringBuilder failures = new StringBuilder();
    if (errors.share() >= errorStatusShare) {
      failures.append(errors.describe()).append(". ");
    }
    for (KnownLogIssues.Found found : known) {
      failures.append(found.diagnosis().claim()).append(". ");
    }
    if (share < blockShare && crawler == null && errors.share() >= errorStatusShare && !known.isEmpty()) {
      // No client floods the site: the failures have the cause that the error logs name, so they lead.
      conclusion.rootCause = known.get(0).diagnosis().cause() + ". " + errors.describe() + ".";
      summary.insert(0, failures + "No client floods the site. ");
    } else if (failures.length() > 0) {
      summary.append(' ').append(failures.toString().strip());
    }
    conclusion.summary = summary.toString();

    addFixes(conclusion, topIp, share, apache, xmlrpc, login, dotEnv, bots);
    return conclusion;
  }

  /**
   * A configured bot user agent with a large share of the requests.
   *
   * @param name the configured bot name found in the user agent
   * @param agent the user agent entry of the findings
   * @param entry the access log command that found it
   */
  private record Crawler(String name, JsonNode agent, TranscriptEntry entry) {
    String describe() {
      int clients = agent.path("clients").asInt();
      return "The crawler " + name + " sent " + agent.get("requests").asInt() + " requests ("
          + Shell.percent(agent.get("share").asDouble()) + ") from " + clients + (clients == 1 ? " address" : " addresses")
          + " in " + Investigation.paramOf(entry, "file") + ", mostly to " + agent.path("topPath").asText("-");
    }
  }

  /** Returns the bot user agent with the largest share when it reaches block-share and exceeds the top client's share. */
  private Crawler dominantCrawler(List<TranscriptEntry> logs, double topClientShare) {
    Crawler best = null;
    for (TranscriptEntry entry : logs) {
      for (JsonNode agent : Json.elements(entry.findings().get("topUserAgents"))) {
        double agentShare = agent.path("share").asDouble();
        if (agent.path("bot").asBoolean() && agentShare >= blockShare && agentShare > topClientShare
            && (best == null || agentShare > best.agent().path("share").asDouble())) {
          best = new Crawler(agent.path("botName").asText(agent.path("userAgent").asText()), agent, entry);
        }
      }
    }
    return best;
  }

  private static void addCrawlerFix(Conclusion conclusion, String bot, boolean apache) {
    if (apache) {
      conclusion.fix("Refuse the crawler " + bot + " in the site's configuration: RewriteEngine On, RewriteCond "
              + "%{HTTP_USER_AGENT} " + bot + " [NC] and RewriteRule .* - [F], then test and reload; the reload only "
              + "happens when the test passes.",
          "apache2ctl -t && systemctl reload apache2", "medium");
      return;
    }
    conclusion.fix("Refuse the crawler " + bot + " on every site: add if ($http_user_agent ~* \"" + bot + "\") { return 403; } "
            + "to each server block, then test and reload; the reload only happens when the test passes. A polite "
            + "crawler can be slowed down with Crawl-delay in robots.txt instead.",
        "nginx -t && systemctl reload nginx", "medium");
  }

  private void addFixes(Conclusion conclusion, String ip, double share, boolean apache, boolean xmlrpc, boolean login,
      boolean dotEnv, List<String> bots) {
    if (share >= blockShare) {
      if (!isIp(ip)) {
        conclusion.remediation.add("The top client [" + ip + "] is not a valid IP address, so no block is proposed; "
            + "check the access log format.");
      } else if (apache) {
        conclusion.fix("Block " + ip + " in Apache: inside the site's <RequireAll> add \"Require all granted\" and "
                + "\"Require not ip " + ip + "\", then test and reload. Check first that it is not a proxy, CDN or "
                + "monitoring address.",
            "apache2ctl -t && systemctl reload apache2", "medium");
      } else {
        conclusion.fix("Block " + ip + " on every nginx site of this host (deny in the http context through "
                + "conf.d), then test and reload; the reload only happens when the test passes. Check first that it "
                + "is not a proxy, CDN or monitoring address.",
            "echo " + Shell.quote("deny " + ip + ";") + " >> /etc/nginx/conf.d/blocklist.conf && nginx -t && "
                + "systemctl reload nginx",
            "medium");
      }
    }
    if (xmlrpc) {
      conclusion.fix("Block XML-RPC, the usual brute-force target, in the site's server block: "
              + "location = /xmlrpc.php { deny all; } — it breaks Jetpack and the WordPress mobile app.",
          apache ? "apache2ctl -t && systemctl reload apache2" : "nginx -t && systemctl reload nginx", "medium");
    }
    if (login) {
      conclusion.fix("Rate-limit logins: in the http context add limit_req_zone $binary_remote_addr zone=wplogin:10m "
              + "rate=1r/s; and in the server block location = /wp-login.php { limit_req zone=wplogin burst=5 "
              + "nodelay; ... } keeping the site's PHP handler inside it.",
          "nginx -t && systemctl reload nginx", "low");
      conclusion.remediation.add("Ban repeat offenders automatically with fail2ban (a jail on the nginx or Apache "
          + "access log that matches POST /wp-login.php).");
    }
    if (dotEnv) {
      conclusion.remediation.add("Scanners probe for .env files: make sure hidden files are never served, e.g. "
          + "location ~ /\\.(?!well-known) { deny all; } in nginx.");
    }
    if (!bots.isEmpty()) {
      conclusion.remediation.add("Slow down or block crawlers (" + String.join(", ", bots) + "): a Crawl-delay in "
          + "robots.txt for polite ones, or if ($http_user_agent ~* \"(" + String.join("|", bots)
          + ")\") { return 403; } in the server block for the rest.");
    }
  }

  private static String windowText(JsonNode findings) {
    JsonNode window = findings.get("window");
    if (window == null || window.path("seconds").asLong() <= 0) {
      return "";
    }
    long minutes = Math.max(1, Math.round(window.get("seconds").asLong() / 60.0));
    return " in the last " + minutes + (minutes == 1 ? " minute" : " minutes") + " of the log";
  }

  static boolean isIp(String text) {
    if (IPV4.matcher(text).matches()) {
      return true;
    }
    return text.contains(":") && IPV6.matcher(text).matches();
  }
}
