package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Log lines that name their own cause: PHP-FPM out of workers, MySQL out of connections, an
 * upstream that times out or refuses connections, the kernel's OOM killer, slow PHP scripts. The
 * {@link LogErrorsAnalyzer} counts them in every line whatever its level (PHP-FPM logs reaching
 * pm.max_children as a WARNING), and the playbooks turn them into claims, causes and fixes.
 */
final class KnownLogIssues {

  static final String OOM_KILL = "oom-kill";
  static final String MYSQL_TOO_MANY_CONNECTIONS = "mysql-too-many-connections";
  static final String PHP_FPM_MAX_CHILDREN = "php-fpm-max-children";
  static final String UPSTREAM_UNAVAILABLE = "upstream-unavailable";
  static final String UPSTREAM_TIMEOUT = "upstream-timeout";
  static final String PHP_FPM_SLOW_REQUESTS = "php-fpm-slow-requests";

  /** Issue ids from the deepest cause to the symptom, the order in which a root cause is picked. */
  static final List<String> PRIORITY = List.of(OOM_KILL, MYSQL_TOO_MANY_CONNECTIONS, PHP_FPM_MAX_CHILDREN,
      UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, PHP_FPM_SLOW_REQUESTS);

  private static final int MAX_LINE_LENGTH = 300;

  /** PHP-FPM 7 and 8: "[pool shop] server reached pm.max_children setting (12), consider raising it"; ondemand omits "pm.". */
  private static final Pattern MAX_CHILDREN = Pattern.compile("\\[pool ([^\\]]+)\\] server reached (?:pm\\.)?max_children setting \\((\\d+)\\)");
  /** MySQL and MariaDB error 1040 as clients log it: "(HY000/1040): Too many connections", "SQLSTATE[08004] [1040] Too many connections". */
  private static final Pattern TOO_MANY_CONNECTIONS = Pattern.compile("(?i)\\btoo many connections\\b");
  /** nginx "upstream timed out (110: Connection timed out)" and Apache mod_proxy_fcgi "AH01075: Error dispatching request" after a timeout. */
  private static final Pattern UPSTREAM_TIMED_OUT = Pattern.compile(
      "upstream timed out \\(110: Connection timed out\\)|The timeout specified has expired.*AH01075");
  /** nginx "connect() to X failed (111: Connection refused) while connecting to upstream", Apache "AH02454: FCGI: attempt to connect to ... failed". */
  private static final Pattern UPSTREAM_CONNECT_FAILED = Pattern.compile(
      "connect\\(\\) (?:to (\\S+) )?failed \\(\\d+: ([^)]+)\\) while connecting to upstream"
          + "|\\(\\d+\\)([^:]+): AH02454: FCGI: attempt to connect to (?:Unix domain socket )?(\\S+)");
  /** The kernel: "Out of memory: Killed process 410877 (php-fpm8.2) total-vm:...". */
  private static final Pattern OOM_KILLED = Pattern.compile("Out of memory: Killed process (\\d+) \\(([^)]+)\\)");
  /** PHP-FPM: "[pool shop] child 31337, script '/var/www/shop/index.php' (request: "POST /index.php") executing too slow (10.01 sec)". */
  private static final Pattern SLOW_SCRIPT = Pattern.compile(
      "\\[pool ([^\\]]+)\\] child \\d+, script '([^']+)' \\(request: \"([^\"]*)\"\\) executing too slow");
  private static final Pattern NGINX_UPSTREAM = Pattern.compile("upstream: \"([^\"]+)\"");
  private static final Pattern NGINX_SERVER = Pattern.compile("\\bserver: ([^,\\s]+)");
  private static final Pattern PHP_FPM_VERSION = Pattern.compile("php(\\d+\\.\\d+)-fpm");

  private KnownLogIssues() {}

  /** Counts the known issues in the lines of one log. */
  static final class Tally {
    private final Map<String, Issue> issues = new LinkedHashMap<>();

    void add(String line) {
      Matcher m = MAX_CHILDREN.matcher(line);
      if (m.find()) {
        issue(PHP_FPM_MAX_CHILDREN, line).count(m.group(1), null, null).limit(Integer.parseInt(m.group(2)));
        return;
      }
      if (TOO_MANY_CONNECTIONS.matcher(line).find()) {
        issue(MYSQL_TOO_MANY_CONNECTIONS, line).count(null, server(line), null);
        return;
      }
      if (UPSTREAM_TIMED_OUT.matcher(line).find()) {
        issue(UPSTREAM_TIMEOUT, line).count(upstream(line), server(line), null);
        return;
      }
      m = UPSTREAM_CONNECT_FAILED.matcher(line);
      if (m.find()) {
        String target = m.group(1) != null ? m.group(1) : m.group(4);
        String reason = m.group(2) != null ? m.group(2) : m.group(3);
        String upstream = upstream(line);
        issue(UPSTREAM_UNAVAILABLE, line).count(upstream != null ? upstream : target, server(line), reason.strip());
        return;
      }
      m = OOM_KILLED.matcher(line);
      if (m.find()) {
        issue(OOM_KILL, line).count(m.group(2), null, null);
        return;
      }
      m = SLOW_SCRIPT.matcher(line);
      if (m.find()) {
        issue(PHP_FPM_SLOW_REQUESTS, line).count(m.group(2), null, m.group(3));
      }
    }

    private Issue issue(String id, String line) {
      Issue issue = issues.computeIfAbsent(id, Issue::new);
      issue.last = line;
      return issue;
    }

    /**
     * Returns {@code [{id, count, subject, server, detail, limit, last}]} in {@link #PRIORITY}
     * order: subject is the most frequent pool, upstream, process or script, server the most
     * frequent nginx server name, detail the most frequent reason or request, limit the highest
     * pm.max_children seen. Text is redacted.
     */
    ArrayNode toJson(Redactor redactor) {
      ArrayNode array = Json.array();
      List<Issue> sorted = new ArrayList<>(issues.values());
      sorted.sort(Comparator.comparingInt(issue -> PRIORITY.indexOf(issue.id)));
      for (Issue issue : sorted) {
        ObjectNode node = array.addObject();
        node.put("id", issue.id);
        node.put("count", issue.count);
        node.put("subject", redacted(redactor, mostFrequent(issue.subjects)));
        node.put("server", redacted(redactor, mostFrequent(issue.servers)));
        node.put("detail", redacted(redactor, mostFrequent(issue.details)));
        if (issue.limit > 0) {
          node.put("limit", issue.limit);
        } else {
          node.putNull("limit");
        }
        String last = redactor.redact(issue.last.strip());
        node.put("last", last.length() > MAX_LINE_LENGTH ? last.substring(0, MAX_LINE_LENGTH) + "..." : last);
      }
      return array;
    }
  }

  private static final class Issue {
    final String id;
    int count;
    int limit;
    String last = "";
    final Map<String, Integer> subjects = new LinkedHashMap<>();
    final Map<String, Integer> servers = new LinkedHashMap<>();
    final Map<String, Integer> details = new LinkedHashMap<>();

    Issue(String id) {
      this.id = id;
    }

    Issue count(String subject, String server, String detail) {
      count++;
      if (subject != null) {
        subjects.merge(subject, 1, Integer::sum);
      }
      if (server != null) {
        servers.merge(server, 1, Integer::sum);
      }
      if (detail != null) {
        details.merge(detail, 1, Integer::sum);
      }
      return this;
    }

    void limit(int value) {
      limit = Math.max(limit, value);
    }
  }

  /** Returns nginx's upstream of the line without the ':' that ends a unix socket address, or null. */
  private static String upstream(String line) {
    Matcher m = NGINX_UPSTREAM.matcher(line);
    if (!m.find()) {
      return null;
    }
    String upstream = m.group(1);
    return upstream.endsWith(":") ? upstream.substring(0, upstream.length() - 1) : upstream;
  }

  private static String server(String line) {
    Matcher m = NGINX_SERVER.matcher(line);
    return m.find() ? m.group(1) : null;
  }

  /** Returns the most frequent key, the first seen among equals, or null for none. */
  private static String mostFrequent(Map<String, Integer> counts) {
    String best = null;
    int bestCount = 0;
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getValue() > bestCount) {
        best = entry.getKey();
        bestCount = entry.getValue();
      }
    }
    return best;
  }

  private static String redacted(Redactor redactor, String text) {
    return text == null ? null : redactor.redact(text);
  }

  // ---- what the playbooks make of them ----

  /**
   * The reading of one known issue for an insight.
   *
   * @param claim what the log shows, with counts, for the evidence and the summary
   * @param cause the cause it points to, for the root cause
   * @param remediation steps for the operator
   * @param fixes commands for the operator
   */
  record Diagnosis(String claim, String cause, List<String> remediation, List<Insight.Fix> fixes) {}

  /**
   * A known issue as found in one log.
   *
   * @param issue the issue from the findings' {@code known} list
   * @param entry the log-errors command that found it
   * @param file the log file
   * @param diagnosis what it means
   */
  record Found(JsonNode issue, TranscriptEntry entry, String file, Diagnosis diagnosis) {}

  /** Returns the known issues of a log-errors entry, in {@link #PRIORITY} order. */
  static List<JsonNode> of(TranscriptEntry entry) {
    return Json.elements(entry.findings().get("known"));
  }

  /** Returns the known issues of every log the investigation read, closest to the cause first, then in transcript order. */
  static List<Found> collect(Investigation investigation, String phpFpmUnit) {
    List<Found> found = new ArrayList<>();
    for (TranscriptEntry entry : investigation.usable(LogErrorsAnalyzer.NAME)) {
      if (entry.findings().path("missing").asBoolean()) {
        continue;
      }
      String file = Investigation.paramOf(entry, "file");
      for (JsonNode issue : of(entry)) {
        found.add(new Found(issue, entry, file, describe(issue, file, phpFpmUnit)));
      }
    }
    found.sort(Comparator.comparingInt(f -> priority(f.issue())));
    return found;
  }

  /** Adds the evidence of every issue to the conclusion, and each remediation line and fix command once. */
  static void apply(Conclusion conclusion, List<Found> found) {
    Set<String> commands = new HashSet<>();
    for (Insight.Fix fix : conclusion.fixes) {
      commands.add(fix.command());
    }
    for (Found one : found) {
      Diagnosis diagnosis = one.diagnosis();
      conclusion.evidence(Investigation.evidence(diagnosis.claim(), one.entry(), null,
          one.issue().path("last").asText(diagnosis.claim())));
      for (String line : diagnosis.remediation()) {
        if (!conclusion.remediation.contains(line)) {
          conclusion.remediation.add(line);
        }
      }
      for (Insight.Fix fix : diagnosis.fixes()) {
        if (commands.add(fix.command())) {
          conclusion.fixes.add(fix);
        }
      }
    }
  }

  /** Returns the systemd unit of the profile's PHP-FPM, from its configuration test (php-fpm8.2 -> php8.2-fpm). */
  static String phpFpmUnit(StackProfile profile) {
    List<String> test = profile.configTests().get("php-fpm");
    return test == null ? "php-fpm" : ConfigDowntimePlaybook.unitOf(test);
  }

  /** Returns the priority of an issue: lower is closer to the cause. Unknown ids sort last. */
  static int priority(JsonNode issue) {
    int index = PRIORITY.indexOf(issue.path("id").asText());
    return index < 0 ? PRIORITY.size() : index;
  }

  /**
   * Describes one known issue found in {@code file}.
   *
   * @param phpFpmUnit the systemd unit of PHP-FPM to name when the log line does not give its version, e.g. php8.2-fpm
   */
  static Diagnosis describe(JsonNode issue, String file, String phpFpmUnit) {
    String id = issue.path("id").asText();
    int count = issue.path("count").asInt();
    String subject = Investigation.text(issue, "subject");
    String server = Investigation.text(issue, "server");
    String detail = Investigation.text(issue, "detail");
    String times = count == 1 ? "once" : count + " times";
    String site = server == null ? "" : " (server " + server + ")";
    List<String> remediation = new ArrayList<>();
    List<Insight.Fix> fixes = new ArrayList<>();

    switch (id) {
      case PHP_FPM_MAX_CHILDREN -> {
        String pool = subject == null ? "?" : subject;
        String limit = issue.path("limit").asText("?");
        String unit = fpmUnit(file, phpFpmUnit);
        remediation.add("Find out why the workers of pool " + pool + " are busy before raising pm.max_children: slow "
            + "scripts in the pool's slow log, a flood of requests in the access log, or a slow database. Then size "
            + "pm.max_children to the memory: the RAM left for PHP divided by the RSS of one worker.");
        fixes.add(new Insight.Fix("Show the process manager settings of every PHP-FPM pool",
            "grep -n '^pm' /etc/php/*/fpm/pool.d/*.conf", "low"));
        fixes.add(new Insight.Fix("Apply a changed pm.max_children: test the configuration, then reload " + unit
            + " (running requests finish first)", testProgram(unit) + " -t && systemctl reload " + unit, "low"));
        return new Diagnosis(
            "PHP-FPM pool " + pool + " reached pm.max_children (" + limit + ") " + times + " in " + file,
            "PHP-FPM pool " + pool + " runs out of workers: it reached pm.max_children (" + limit + ") " + times
                + ", so further requests wait in its listen queue until the web server gives up",
            remediation, fixes);
      }
      case MYSQL_TOO_MANY_CONNECTIONS -> {
        remediation.add("See which clients hold the connections with SHOW PROCESSLIST (MySQL keeps one connection "
            + "free for an administrator): long-running queries, or many sleeping connections from one site. Raise "
            + "max_connections only with memory to spare, and keep the sum of pm.max_children of the PHP-FPM pools "
            + "that use this database below it.");
        fixes.add(new Insight.Fix("List the database connections and what they run", "mysqladmin processlist", "low"));
        fixes.add(new Insight.Fix("Compare the peak number of connections with the limit",
            "mysql -e \"SHOW GLOBAL STATUS LIKE 'Max_used_connections'; SHOW GLOBAL VARIABLES LIKE 'max_connections'\"",
            "low"));
        return new Diagnosis(
            "MySQL refused connections with \"Too many connections\" " + times + " in " + file + site,
            "MySQL reached max_connections: new connections fail with \"Too many connections\" (error 1040), "
                + "so the sites cannot reach their database",
            remediation, fixes);
      }
      case UPSTREAM_TIMEOUT -> {
        String upstream = subject == null ? "the upstream" : "the upstream " + subject;
        remediation.add("Find the slow requests rather than raising fastcgi_read_timeout or proxy_read_timeout: the "
            + "PHP-FPM slow log (request_slowlog_timeout), whether every worker is busy (\"server reached "
            + "pm.max_children\" in the PHP-FPM log), and slow database queries.");
        if (subject != null && subject.contains("php")) {
          String unit = fpmUnit(subject, phpFpmUnit);
          fixes.add(new Insight.Fix("Show the state of " + unit + " and its recent messages",
              "systemctl status " + unit + " --no-pager", "low"));
        }
        return new Diagnosis(
            "Requests to " + upstream + " timed out " + times + " in " + file + site,
            "Requests to " + upstream + " timed out " + times + site + ": it answers too slowly, so clients get "
                + "504 Gateway Timeout",
            remediation, fixes);
      }
      case UPSTREAM_UNAVAILABLE -> {
        String upstream = subject == null ? "the upstream" : "the upstream " + subject;
        String reason = detail == null ? "connection failed" : detail;
        boolean queueFull = reason.contains("Resource temporarily unavailable");
        if (queueFull) {
          remediation.add("The listen queue of " + upstream + " is full: every worker is busy. Look for "
              + "\"server reached pm.max_children\" in the PHP-FPM log and for slow requests.");
        } else {
          remediation.add("Start the service behind " + upstream + " and check that the socket or address in the "
              + "site configuration matches the listen setting of the PHP-FPM pool or the backend.");
        }
        if (subject != null && subject.contains("php")) {
          String unit = fpmUnit(subject, phpFpmUnit);
          fixes.add(new Insight.Fix("Show the state of " + unit + " and its recent messages",
              "systemctl status " + unit + " --no-pager", "low"));
        }
        return new Diagnosis(
            "Connecting to " + upstream + " failed (" + reason + ") " + times + " in " + file + site,
            queueFull
                ? capitalized(upstream) + " accepts no more connections (" + reason + "): all its workers are busy, "
                    + "so clients get 502 Bad Gateway"
                : capitalized(upstream) + " does not accept connections (" + reason + "), so clients get 502 Bad Gateway",
            remediation, fixes);
      }
      case OOM_KILL -> {
        String process = subject == null ? "a process" : subject;
        remediation.add("Find what uses the memory with the resource-hogs playbook, then lower PHP-FPM "
            + "pm.max_children or MySQL's innodb_buffer_pool_size so that they fit in RAM.");
        return new Diagnosis(
            "The kernel's OOM killer killed " + process + " " + times + " (" + file + ")",
            "The host runs out of memory: the kernel's OOM killer killed " + process + " " + times,
            remediation, fixes);
      }
      case PHP_FPM_SLOW_REQUESTS -> {
        String script = subject == null ? "a script" : subject;
        String request = detail == null ? "" : " (most often \"" + detail + "\")";
        remediation.add("Read the stack traces in the pool's slow log (its slowlog setting) to see where " + script
            + " spends its time.");
        return new Diagnosis(
            "PHP-FPM logged " + count + " slow " + (count == 1 ? "request" : "requests") + " of " + script + request
                + " in " + file,
            script + " runs slowly: PHP-FPM logged it " + times + " past request_slowlog_timeout" + request,
            remediation, fixes);
      }
      default -> {
        String claim = id + " " + times + " in " + file;
        return new Diagnosis(claim, claim, remediation, fixes);
      }
    }
  }

  private static String capitalized(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  /** Returns the PHP-FPM unit named in {@code text} (php8.2-fpm), or {@code fallback}. */
  private static String fpmUnit(String text, String fallback) {
    Matcher m = PHP_FPM_VERSION.matcher(text == null ? "" : text);
    return m.find() ? "php" + m.group(1) + "-fpm" : fallback;
  }

  /** Returns the configuration test program of a PHP-FPM unit: php8.2-fpm -> php-fpm8.2. */
  private static String testProgram(String unit) {
    Matcher m = PHP_FPM_VERSION.matcher(unit);
    return m.find() ? "php-fpm" + m.group(1) : "php-fpm";
  }
}
