package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processes using the most CPU or memory, each mapped to the site or service it belongs to:
 * {@code ps -eo pid,user,pcpu,pmem,rss,etimes,args --sort=-pcpu} (or {@code --sort=-rss}).
 */
public final class TopProcessesAnalyzer implements Analyzer {

  public static final String NAME = "top-processes";

  private static final Set<String> SORTS = Set.of("-pcpu", "-rss");
  /** The ps column list this analyzer renders and parses. */
  private static final String COLUMNS = "pid,user,pcpu,pmem,rss,etimes,args";

  /**
   * Command lines of the listing itself: ps run directly or through the top-processes shell
   * template. A process that started a moment ago shows up to 100 % CPU, because ps divides CPU
   * time by elapsed time, so without this the listing would blame itself.
   */
  private static final List<String> OWN_LISTING = List.of("ps -eo " + COLUMNS, "sh -c ps -eo " + COLUMNS);

  private static final Pattern LINE =
      Pattern.compile("^\\s*(\\d+)\\s+(\\S+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+(\\d+)\\s+(\\d+)\\s+(.*)$");
  private static final Pattern FPM_POOL = Pattern.compile("^php-fpm[\\d.]*: pool (\\S+)");
  private static final Pattern FPM_MASTER = Pattern.compile("^php-fpm[\\d.]*: master process");
  private static final int MAX_COMMAND_LENGTH = 300;

  private final List<String> webRoots;
  private final int topProcesses;

  public TopProcessesAnalyzer(StackProfile profile) {
    List<String> roots = new ArrayList<>();
    for (String root : profile.webRoots()) {
      roots.add(root.endsWith("/") ? root : root + "/");
    }
    this.webRoots = List.copyOf(roots);
    this.topProcesses = profile.topProcesses();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists the processes using the most CPU (or memory) with the site, PHP-FPM pool or service each belongs to.";
  }

  /** Renders the ps command; param {@code sort} is {@code -pcpu} (default) or {@code -rss}. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    String sort = Json.text(params, "sort");
    if (sort == null) {
      sort = "-pcpu";
    }
    if (!SORTS.contains(sort)) {
      throw new IllegalArgumentException("parameter [sort] is invalid: [" + sort + "]; expected -pcpu or -rss");
    }
    return List.of("ps", "-eo", COLUMNS, "--sort=" + sort);
  }

  /**
   * Returns {@code {processes:[{pid, user, cpuPercent, memPercent, rssKb, elapsedSeconds, command,
   * application, kind, service}], processesSeen, ownListingSkipped, applications:[...]}}: the first
   * {@code topProcesses} in ps order, and every process summed per application or service, leaving
   * out the listing's own ps and sh processes (counted in ownListingSkipped). Commands are
   * redacted, because command lines carry passwords ({@code mysql -pX}).
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    Redactor redactor = new Redactor();
    List<ObjectNode> processes = new ArrayList<>();
    ArrayNode unparsed = Json.array();
    int ownListing = 0;
    for (String line : Outputs.lines(output.stdout())) {
      if (line.isBlank() || line.strip().startsWith("PID")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        unparsed.add(line);
        continue;
      }
      String command = redactor.redact(m.group(7).strip());
      if (OWN_LISTING.stream().anyMatch(command::startsWith)) {
        ownListing++;
        continue;
      }
      ObjectNode process = Json.object();
      process.put("pid", Long.parseLong(m.group(1)));
      process.put("user", m.group(2));
      process.put("cpuPercent", Double.parseDouble(m.group(3)));
      process.put("memPercent", Double.parseDouble(m.group(4)));
      process.put("rssKb", Long.parseLong(m.group(5)));
      process.put("elapsedSeconds", Long.parseLong(m.group(6)));
      process.put("command", command.length() > MAX_COMMAND_LENGTH ? command.substring(0, MAX_COMMAND_LENGTH) + "..." : command);
      identify(process, command);
      processes.add(process);
    }
    attributeByUser(processes);

    ArrayNode listed = findings.putArray("processes");
    processes.stream().limit(Math.max(0, topProcesses)).forEach(listed::add);
    findings.put("processesSeen", processes.size());
    findings.put("ownListingSkipped", ownListing);
    findings.set("applications", summarise(processes));
    if (!unparsed.isEmpty()) {
      findings.set("unparsed", unparsed);
    }
    return findings;
  }

  /** Sets application, kind and service from the command line. */
  private void identify(ObjectNode process, String command) {
    String program = command.split("\\s+", 2)[0];
    String base = program.substring(program.lastIndexOf('/') + 1).replace(":", "");
    String application = null;
    String kind = null;
    String service = null;

    Matcher pool = FPM_POOL.matcher(command);
    if (pool.find()) {
      application = pool.group(1);
      kind = "php-fpm-pool";
      service = "php-fpm";
    } else if (FPM_MASTER.matcher(command).find()) {
      service = "php-fpm";
    } else if (base.equals("mysqld") || base.equals("mariadbd") || base.equals("mysqld_safe")) {
      service = "mysql";
    } else if (base.equals("nginx")) {
      service = "nginx";
    } else if (base.equals("apache2") || base.equals("httpd")) {
      service = "apache2";
    } else if (base.equals("redis-server")) {
      service = "redis";
    }

    String site = siteInArgs(command);
    if (site != null) {
      application = site;
    }
    if (command.contains("wp-cron.php")) {
      kind = "wp-cron";
    } else if (command.contains("artisan") && (command.contains("queue:work") || command.contains("queue:listen") || command.contains("horizon"))) {
      kind = "queue-worker";
    } else if (command.contains("artisan")) {
      kind = "artisan";
    } else if (site != null && kind == null) {
      kind = "web-root-script";
    }
    process.put("application", application);
    process.put("kind", kind);
    process.put("service", service);
  }

  /** Returns the first directory below a web root that appears in the command line, or null. */
  private String siteInArgs(String command) {
    for (String token : command.split("\\s+")) {
      String path = token.startsWith("--") && token.contains("=") ? token.substring(token.indexOf('=') + 1) : token;
      for (String root : webRoots) {
        if (path.startsWith(root) && path.length() > root.length()) {
          String rest = path.substring(root.length());
          int slash = rest.indexOf('/');
          return slash > 0 ? rest.substring(0, slash) : rest;
        }
      }
    }
    return null;
  }

  /**
   * Attributes a process without an application to a site when its user is the site's system
   * user: a per-site user named like a PHP-FPM pool or a site directory seen in this listing. ps
   * cuts user names longer than its column and marks them with {@code +}, so a cut name matches by prefix.
   */
  private static void attributeByUser(List<ObjectNode> processes) {
    Set<String> known = new TreeSet<>();
    for (ObjectNode process : processes) {
      if (process.hasNonNull("application")) {
        known.add(process.get("application").asText());
      }
    }
    for (ObjectNode process : processes) {
      if (process.hasNonNull("application") || process.hasNonNull("service")) {
        continue;
      }
      String user = process.get("user").asText();
      boolean cut = user.endsWith("+");
      String prefix = cut ? user.substring(0, user.length() - 1) : user;
      for (String application : known) {
        if (cut ? application.startsWith(prefix) : application.equals(user)) {
          process.put("application", application);
          break;
        }
      }
    }
  }

  /** Sums CPU, memory and process count per application, or per service for processes without one. */
  private static ArrayNode summarise(List<ObjectNode> processes) {
    Map<String, ObjectNode> groups = new LinkedHashMap<>();
    for (ObjectNode process : processes) {
      String application = process.hasNonNull("application") ? process.get("application").asText() : null;
      String service = process.hasNonNull("service") ? process.get("service").asText() : null;
      if (application == null && service == null) {
        continue;
      }
      String key = application != null ? "application:" + application : "service:" + service;
      ObjectNode group = groups.computeIfAbsent(key, k -> {
        ObjectNode g = Json.object();
        g.put("application", application);
        g.put("service", service);
        g.put("processes", 0);
        g.put("cpuPercent", 0.0);
        g.put("memPercent", 0.0);
        g.put("rssKb", 0L);
        return g;
      });
      group.put("processes", group.get("processes").asInt() + 1);
      group.put("cpuPercent", Outputs.round(group.get("cpuPercent").asDouble() + process.get("cpuPercent").asDouble(), 1));
      group.put("memPercent", Outputs.round(group.get("memPercent").asDouble() + process.get("memPercent").asDouble(), 1));
      group.put("rssKb", group.get("rssKb").asLong() + process.get("rssKb").asLong());
    }
    List<ObjectNode> sorted = new ArrayList<>(groups.values());
    sorted.sort(Comparator.<ObjectNode>comparingDouble(g -> -g.get("cpuPercent").asDouble())
        .thenComparingLong(g -> -g.get("rssKb").asLong()));
    ArrayNode array = Json.array();
    sorted.forEach(array::add);
    return array;
  }
}
