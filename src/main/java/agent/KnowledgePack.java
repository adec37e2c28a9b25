package agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Facts a model-driven brain receives about the hosts it investigates: file layout, logs, services,
 * typical failure modes, the fleet's customisations and the safety rules. Everything comes from
 * {@code fleet-sre.knowledge-pack} ({@code knowledge-pack.conf}) and the files it lists, so an
 * operator describes customised hosts without code changes.
 *
 * @param title what kind of host the pack describes
 * @param layout where configuration, data, code, backups and certificates live
 * @param logs log files and their line formats
 * @param services core services and their systemd units
 * @param failureModes typical failures and what to check for each
 * @param customisations how the fleet's hosts differ from the default layout
 * @param safety rules on what must never be deleted or done
 */
public record KnowledgePack(
    String title,
    List<Location> layout,
    List<LogSource> logs,
    List<Service> services,
    List<FailureMode> failureModes,
    List<Customisation> customisations,
    List<String> safety) {

  /** Path of the block in the configuration. */
  public static final String PATH = "fleet-sre.knowledge-pack";

  private static final Set<String> PACK_KEYS =
      Set.of("title", "files", "layout", "logs", "services", "failure-modes", "customisations", "safety");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public KnowledgePack {
    layout = List.copyOf(layout);
    logs = List.copyOf(logs);
    services = List.copyOf(services);
    failureModes = List.copyOf(failureModes);
    customisations = List.copyOf(customisations);
    safety = List.copyOf(safety);
  }

  /** A place on the host: what it contains and its paths. */
  public record Location(String id, String description, List<String> paths) {
    public Location {
      paths = List.copyOf(paths);
    }
  }

  /** A log: what it records, its paths and what one line looks like. */
  public record LogSource(String id, String description, List<String> paths, String format) {
    public LogSource {
      paths = List.copyOf(paths);
    }
  }

  /** A core service and its systemd units. */
  public record Service(String id, String description, List<String> units) {
    public Service {
      units = List.copyOf(units);
    }
  }

  /** A typical failure of a service ({@code host} for the machine), and what to check, cheapest first. */
  public record FailureMode(String id, String service, String symptom, List<String> checks) {
    public FailureMode {
      checks = List.copyOf(checks);
    }
  }

  /** A difference from the default layout; {@code hosts} are host name globs, empty for every host. */
  public record Customisation(String description, List<String> hosts) {
    public Customisation {
      hosts = List.copyOf(hosts);
    }

    /** Returns whether this customisation applies to {@code host}: no globs, or one glob matches it ignoring case. */
    public boolean appliesTo(String host) {
      if (hosts.isEmpty()) {
        return true;
      }
      for (String glob : hosts) {
        if (globPattern(glob).matcher(host).matches()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Reads the pack from a {@code fleet-sre} block. Keys missing there fall back to {@code
   * knowledge-pack.conf} on the classpath. Then each file of {@code files} is merged on top, in
   * order, except that its {@code customisations} and {@code safety} entries are appended.
   *
   * @throws IllegalArgumentException when a listed file is missing or not valid YAML, a key is unknown, or an
   *     entry is not an object
   * @throws com.typesafe.config.ConfigException when a required key is missing or has the wrong type
   * @throws UncheckedIOException when a listed file cannot be read
   */
  public static KnowledgePack fromConfig(Config fleetSre) {
    Config defaults = ConfigFactory.parseResources("knowledge-pack.conf").getConfig(PATH);
    Config pack = fleetSre.hasPath("knowledge-pack")
        ? fleetSre.getConfig("knowledge-pack").withFallback(defaults)
        : defaults;
    pack = pack.resolve();
    requireKnownKeys(pack.root(), PACK_KEYS, PATH);

    List<Customisation> customisations = new ArrayList<>(customisations(pack));
    Set<String> safety = new LinkedHashSet<>(pack.getStringList("safety"));
    for (String file : pack.getStringList("files")) {
      Config extra = parseFile(Path.of(file));
      requireKnownKeys(extra.root(), PACK_KEYS, file);
      if (extra.hasPathOrNull("files")) {
        throw new IllegalArgumentException(
            "knowledge pack file " + file + " sets [files], which is read only from " + PATH + ".files: remove the key");
      }
      customisations.addAll(customisations(extra));
      if (extra.hasPath("safety")) {
        safety.addAll(extra.getStringList("safety"));
      }
      pack = extra.withoutPath("customisations").withoutPath("safety").withFallback(pack).resolve();
    }

    return new KnowledgePack(
        pack.getString("title"),
        entries(pack, "layout", Set.of("description", "paths"),
            (id, c) -> new Location(id, c.getString("description"), c.getStringList("paths"))),
        entries(pack, "logs", Set.of("description", "paths", "format"),
            (id, c) -> new LogSource(id, c.getString("description"), c.getStringList("paths"), c.getString("format"))),
        entries(pack, "services", Set.of("description", "units"),
            (id, c) -> new Service(id, c.getString("description"), c.getStringList("units"))),
        failureModes(pack),
        customisations,
        List.copyOf(safety));
  }

  /** Returns this pack with only the customisations that apply to {@code host}. */
  public KnowledgePack forHost(String host) {
    List<Customisation> applicable = customisations.stream().filter(c -> c.appliesTo(host)).toList();
    return new KnowledgePack(title, layout, logs, services, failureModes, applicable, safety);
  }

  /** Renders the pack as compact Markdown for a system prompt; empty sections are left out. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("# Host knowledge: ").append(title).append('\n');

    section(out, "File layout", layout, l -> l.id() + ": " + String.join(", ", l.paths()) + ". " + l.description());
    section(out, "Logs", logs,
        l -> l.id() + ": " + String.join(", ", l.paths()) + ". " + l.description() + ". Line format: " + l.format());
    section(out, "Services (systemd units)", services,
        s -> s.id() + " (" + String.join(", ", s.units()) + "): " + s.description());
    section(out, "Typical failure modes", failureModes,
        f -> f.service() + ": " + f.symptom() + ". Check: " + String.join("; ", f.checks()) + ".");
    section(out, "Customisations of this fleet", customisations,
        c -> c.description() + (c.hosts().isEmpty() ? "" : " (hosts: " + String.join(", ", c.hosts()) + ")"));
    section(out, "Safety rules", safety, s -> s);
    return out.toString();
  }

  private static <T> void section(StringBuilder out, String heading, List<T> items,
      Function<T, String> line) {
    if (items.isEmpty()) {
      return;
    }
    out.append("\n## ").append(heading).append('\n');
    for (T item : items) {
      out.append("- ").append(line.apply(item)).append('\n');
    }
  }

  private static List<FailureMode> failureModes(Config pack) {
    List<FailureMode> modes = new ArrayList<>(entries(pack, "failure-modes", Set.of("service", "symptom", "checks"),
        (id, c) -> new FailureMode(id, c.getString("service"), c.getString("symptom"), c.getStringList("checks"))));
    modes.sort(Comparator.comparing(FailureMode::service).thenComparing(FailureMode::id));
    return modes;
  }

  private static List<Customisation> customisations(Config config) {
    List<Customisation> list = new ArrayList<>();
    if (!config.hasPath("customisations")) {
      return list;
    }
    for (Config entry : config.getConfigList("customisations")) {
      requireKnownKeys(entry.root(), Set.of("description", "hosts"), "customisations entry at " + entry.origin().description());
      List<String> hosts = entry.hasPath("hosts") ? entry.getStringList("hosts") : List.of();
      list.add(new Customisation(entry.getString("description"), hosts));
    }
    return list;
  }

  /** Reads the object entries under {@code key}, sorted by id; entries set to null are dropped. */
  private static <T> List<T> entries(Config pack, String key, Set<String> fields,
      BiFunction<String, Config, T> reader) {
    List<T> result = new ArrayList<>();
    if (!pack.hasPath(key)) {
      return result;
    }
    ConfigObject object = pack.getObject(key);
    for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(object).entrySet()) {
      ConfigValue value = entry.getValue();
      String where = PATH + "." + key + "." + entry.getKey();
      if (value.valueType() == ConfigValueType.NULL) {
        continue;
      }
      if (value.valueType() != ConfigValueType.OBJECT) {
        throw new IllegalArgumentException(where + " (" + value.origin().description() + ") is a "
            + value.valueType().name().toLowerCase(Locale.ROOT) + ": expected an object with the keys "
            + new TreeSet<>(fields) + ", or null to drop the entry");
      }
      ConfigObject fieldsObject = (ConfigObject) value;
      requireKnownKeys(fieldsObject, fields, where);
      result.add(reader.apply(entry.getKey(), fieldsObject.toConfig()));
    }
    return result;
  }

  private static void requireKnownKeys(ConfigObject object, Set<String> allowed, String where) {
    for (String key : object.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException("unknown key [" + key + "] in " + where + " ("
            + object.get(key).origin().description() + "): expected one of " + new TreeSet<>(allowed));
      }
    }
  }

  /** Parses one extra file: YAML by its .yaml or .yml extension, HOCON (which includes JSON) otherwise. */
  private static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("knowledge pack file not found: " + file.toAbsolutePath()
          + " (listed in " + PATH + ".files)");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ConfigParseOptions options = ConfigParseOptions.defaults().setOriginDescription(file.toString());
    try {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        JsonNode tree = YAML.readTree(file.toFile());
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
          return ConfigFactory.empty(file.toString());
        }
        if (!tree.isObject()) {
          throw new IllegalArgumentException("knowledge pack file " + file + " must contain a mapping at its top level");
        }
        // JSON keeps YAML's keys literal: a dot in a key is not a path separator.
        return ConfigFactory.parseString(Json.mapper().writeValueAsString(tree), options.setSyntax(ConfigSyntax.JSON));
      }
      return ConfigFactory.parseFile(file.toFile(), options.setAllowMissing(false));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("knowledge pack file " + file + " is not valid YAML: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read knowledge pack file " + file, e);
    }
  }

  /** Compiles a host name glob: {@code *} matches any run of characters, {@code ?} one character. */
  static Pattern globPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
  }
}
