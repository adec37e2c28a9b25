package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import fleet.CommandOutput;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The analyzers by name, and a parse entry point that never throws. */
public final class Analyzers {

  private static final Logger log = LoggerFactory.getLogger(Analyzers.class);

  /** Name of the pseudo-analyzer of a command whose output is kept as it is. */
  public static final String RAW = "raw";

  private final Map<String, Analyzer> byName;

  public Analyzers(Collection<? extends Analyzer> analyzers) {
    Map<String, Analyzer> map = new LinkedHashMap<>();
    for (Analyzer analyzer : analyzers) {
      if (map.put(analyzer.name(), analyzer) != null) {
        throw new IllegalArgumentException("duplicate analyzer name [" + analyzer.name() + "]");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /** Returns the standard analyzers with the default stack profile ({@code stack-profile.conf} on the classpath) and the system clock. */
  public static Analyzers standard() {
    return fromConfig(ConfigFactory.empty(), Clock.systemUTC());
  }

  /** Returns the standard analyzers with the default access log rules. */
  public static Analyzers standard(StackProfile profile, Clock clock) {
    return standard(profile, clock, new AccessLogTopAnalyzer());
  }

  /**
   * Returns the standard analyzers read from a {@code fleet-sre} block: its {@code stack-profile} and
   * {@code analyzers.access-log} (abuse paths and bot user agents). A missing block falls back to
   * the defaults shipped in {@code stack-profile.conf} and {@code analyzers.conf}.
   */
  public static Analyzers fromConfig(Config fleetSre, Clock clock) {
    Config config = fleetSre
        .withFallback(ConfigFactory.parseResources("stack-profile.conf").getConfig("fleet-sre"))
        .withFallback(ConfigFactory.parseResources("analyzers.conf").getConfig("fleet-sre"))
        .resolve();
    StackProfile profile = StackProfile.fromConfig(config.getConfig("stack-profile"));
    Config accessLog = config.getConfig("analyzers.access-log");
    AccessLogTopAnalyzer top = new AccessLogTopAnalyzer(
        accessLog.getStringList("abuse-paths"),
        accessLog.getStringList("note-only-paths"),
        accessLog.getStringList("bot-user-agents"));
    return standard(profile, clock, top);
  }

  private static Analyzers standard(StackProfile profile, Clock clock, AccessLogTopAnalyzer accessLogTop) {
    return new Analyzers(List.of(
        new DiskUsageAnalyzer(),
        new InodeUsageAnalyzer(),
        new DirectorySizesAnalyzer(),
        new LargeFilesAnalyzer(profile, clock),
        new AccessLogFilesAnalyzer(),
        accessLogTop,
        new ConfigTestAnalyzer(profile),
        new TopProcessesAnalyzer(profile),
        new LoadAnalyzer(),
        new MemoryAnalyzer(),
        new LogErrorsAnalyzer(),
        new JournalErrorsAnalyzer(),
        new DirectoryInodesAnalyzer(),
        new CertificateFilesAnalyzer(),
        new CertificateExpiryAnalyzer(clock)));
  }

  public Optional<Analyzer> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<Analyzer> all() {
    return byName.values();
  }

  /** Parses with the named analyzer; see {@link #parse(String, List, CommandOutput)}. */
  public JsonNode parse(String analyzerName, CommandOutput output) {
    return parse(analyzerName, null, output);
  }

  /**
   * Parses the output of {@code argv} with the named analyzer. Returns an empty object for
   * {@code raw} and unknown names, and {@code {parseError: "..."}} when the analyzer throws; never
   * throws itself. {@code argv} may be null; analyzers that read it fill fewer fields then.
   */
  public JsonNode parse(String analyzerName, List<String> argv, CommandOutput output) {
    Analyzer analyzer = analyzerName == null ? null : byName.get(analyzerName);
    if (analyzer == null || output == null) {
      if (analyzerName != null && !analyzerName.equals(RAW) && analyzer == null) {
        log.debug("No analyzer named [{}]; keeping the output unparsed", analyzerName);
      }
      return Json.object();
    }
    try {
      if (argv != null && analyzer instanceof ArgvAwareAnalyzer aware) {
        return aware.parse(argv, output);
      }
      return analyzer.parse(output);
    } catch (RuntimeException e) {
      log.warn("Analyzer [{}] failed to parse the output of {}: {}", analyzerName, argv, e.toString(), e);
      ObjectNode failure = Json.object();
      failure.put("parseError", e.getClass().getSimpleName() + ": " + e.getMessage());
      return failure;
    }
  }
}
