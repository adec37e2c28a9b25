package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import fleet.CommandOutput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolCatalogTest {

  private final StackProfile profile = Fixtures.profile();
  private final ToolCatalog catalog = new ToolCatalog(Fixtures.analyzers(), profile);

  private JsonObjectSchema parameters(String tool) {
    return catalog.specifications().stream().filter(s -> s.name().equals(tool)).findFirst()
        .orElseThrow(() -> new AssertionError("no tool " + tool)).parameters();
  }

  private Brain.PlannedCommand command(String tool, String arguments) {
    ToolCatalog.ToolPlan plan = catalog.plan(tool, arguments);
    assertThat(plan.error()).as("error of %s %s", tool, arguments).isNull();
    return plan.command();
  }

  private String error(String tool, String arguments) {
    ToolCatalog.ToolPlan plan = catalog.plan(tool, arguments);
    assertThat(plan.command()).as("command of %s %s", tool, arguments).isNull();
    return plan.error();
  }

  @Test
  void oneToolPerAnalyzerPlusRunCommand() {
    assertThat(catalog.toolNames()).containsExactly(
        "disk_usage", "inode_usage", "directory_sizes", "large_files", "access_log_files", "access_log_top",
        "config_test", "top_processes", "load", "memory", "log_errors", "journal_errors", "directory_inodes",
        "certificate_files",
        "certificate_expiry", "run_command");
    for (ToolSpecification spec : catalog.specifications()) {
      assertThat(spec.description()).as(spec.name()).isNotBlank();
      assertThat(spec.parameters().additionalProperties()).as(spec.name()).isFalse();
    }
    assertThat(catalog.specifications().get(0).description())
        .startsWith(Fixtures.analyzers().find("disk-usage").orElseThrow().description())
        .contains("Call it first for a disk space alert");
  }

  @Test
  void parametersAreTyped() {
    JsonObjectSchema configTest = parameters("config_test");
    assertThat(configTest.required()).containsExactly("service");
    assertThat(configTest.properties().get("service")).isInstanceOfSatisfying(JsonEnumSchema.class,
        e -> assertThat(e.enumValues()).containsExactly("apache", "nginx", "php-fpm"));

    JsonObjectSchema top = parameters("top_processes");
    assertThat(top.required()).containsExactly("sort");
    assertThat(top.properties().get("sort")).isInstanceOfSatisfying(JsonEnumSchema.class,
        e -> assertThat(e.enumValues()).containsExactly("-pcpu", "-rss"));

    JsonObjectSchema sizes = parameters("directory_sizes");
    assertThat(sizes.required()).isEmpty();
    assertThat(sizes.properties().get("roots")).isInstanceOfSatisfying(JsonArraySchema.class,
        a -> assertThat(a.items()).isInstanceOf(JsonStringSchema.class));
    assertThat(sizes.properties().get("roots").description()).contains("/var/log");

    assertThat(parameters("access_log_top").required()).containsExactly("file");
    assertThat(parameters("log_errors").required()).containsExactly("file");
    assertThat(parameters("log_errors").properties().get("file").description()).contains("/var/log/nginx/error.log");
    assertThat(parameters("access_log_files").properties()).containsKeys("dirs", "name", "purpose");
    assertThat(parameters("access_log_files").required()).isEmpty();
    assertThat(parameters("disk_usage").properties()).containsOnlyKeys("purpose");

    JsonObjectSchema run = parameters("run_command");
    assertThat(run.required()).containsExactly("argv", "purpose");
    assertThat(run.properties().get("argv")).isInstanceOf(JsonArraySchema.class);
  }

  @Test
  void specificationSerialisesEnum() {
    String json = catalog.specifications().stream().filter(s -> s.name().equals("config_test")).findFirst()
        .orElseThrow().toJson();

    assertThat(json).contains("\"enum\"").contains("\"nginx\"").contains("\"required\"");
  }

  @Test
  void analyzerToolRendersArgv() {
    Brain.PlannedCommand sizes = command("directory_sizes", "{\"roots\": [\"/var/www\"], \"purpose\": \"find the cache\"}");
    assertThat(sizes.analyzer()).isEqualTo("directory-sizes");
    assertThat(sizes.argv()).containsExactly("du", "-x", "-k", "-d", "3", "/var/www");
    assertThat(sizes.params()).isEqualTo(Json.mapper().createObjectNode().set("roots", Json.arrayOf(List.of("/var/www"))));
    assertThat(sizes.purpose()).isEqualTo("find the cache");

    Brain.PlannedCommand defaults = command("directory_sizes", "{}");
    assertThat(defaults.argv().subList(5, defaults.argv().size())).isEqualTo(profile.diskRoots());
    assertThat(defaults.purpose()).isEqualTo(Fixtures.analyzers().find("directory-sizes").orElseThrow().description());

    assertThat(command("config_test", "{\"service\": \"nginx\"}").argv()).containsExactly("nginx", "-t");
    assertThat(command("top_processes", "{\"sort\": \"-rss\"}").argv()).contains("--sort=-rss");
    assertThat(command("log_errors", "{\"file\": \"/var/log/syslog\"}").argv())
        .containsExactly("tail", "-n", "200", "/var/log/syslog");
    assertThat(command("access_log_files", "{\"dirs\": [\"/srv/logs\"], \"name\": \"*.log\"}").argv())
        .containsSubsequence("find", "/srv/logs", "-name", "*.log");
  }

  @Test
  void noParameterToolAcceptsBlankArguments() {
    assertThat(command("disk_usage", "").argv()).containsExactly("df", "-P", "-k");
    assertThat(command("memory", null).argv()).containsExactly("cat", "/proc/meminfo");
    assertThat(command("load", "{}").params()).isEmpty();
  }

  @Test
  void runCommandKeepsArgvAsGiven() {
    Brain.PlannedCommand raw = command("run_command",
        "{\"argv\": [\"cat\", \"/etc/passwd\", \"; rm -rf /\"], \"purpose\": \"read users\"}");

    assertThat(raw.analyzer()).isEqualTo(Analyzers.RAW);
    assertThat(raw.argv()).containsExactly("cat", "/etc/passwd", "; rm -rf /");
    assertThat(raw.purpose()).isEqualTo("read users");
    assertThat(raw.params()).isEmpty();
  }

  @Test
  void unknownToolNamesTools() {
    assertThat(error("rm_rf", "{}")).startsWith("Unknown tool [rm_rf]: call one of [disk_usage,")
        .endsWith("run_command].");
    assertThat(error(null, "{}")).startsWith("Unknown tool [null]");
    assertThat(error("directory-sizes", "{}")).startsWith("Unknown tool [directory-sizes]");
  }

  @Test
  void malformedArgumentsAreExplained() {
    assertThat(error("log_errors", "{\"file\": ")).startsWith("The arguments of tool log_errors are invalid: they are not valid JSON");
    assertThat(error("log_errors", "[\"/var/log/syslog\"]"))
        .isEqualTo("The arguments of tool log_errors are invalid: expected a JSON object, got array.");
    assertThat(error("log_errors", "\"x\"")).contains("expected a JSON object, got string");
  }

  @Test
  void booleanParameterRejectsString() {
    assertThat(error("journal_errors", "{\"kernel\": \"yes\"}"))
        .isEqualTo("Parameter [kernel] of tool journal_errors is invalid: expected true or false, got \"yes\".");
  }

  @Test
  void parameterErrorsNameParameter() {
    Map<String, String[]> cases = Map.of(
        "missing file", new String[] {"log_errors", "{}",
            "Parameter [file] of tool log_errors is missing: expected the absolute path of a log file."},
        "null file", new String[] {"access_log_top", "{\"file\": null}",
            "Parameter [file] of tool access_log_top is missing: expected the absolute path of an access log."},
        "number file", new String[] {"log_errors", "{\"file\": 3}",
            "Parameter [file] of tool log_errors is invalid: expected a string, the absolute path of a log file, got 3."},
        "roots not array", new String[] {"directory_sizes", "{\"roots\": \"/var/www\"}",
            "Parameter [roots] of tool directory_sizes is invalid: expected an array of strings, absolute directory paths, got \"/var/www\"."},
        "roots element", new String[] {"large_files", "{\"roots\": [\"/var/www\", 7]}",
            "Parameter [roots] of tool large_files is invalid: every element must be a string, got 7."},
        "enum", new String[] {"config_test", "{\"service\": \"mysql\"}",
            "Parameter [service] of tool config_test is invalid: expected one of [apache, nginx, php-fpm], got \"mysql\"."},
        "missing sort", new String[] {"top_processes", "{}",
            "Parameter [sort] of tool top_processes is missing: expected one of [-pcpu, -rss]."},
        "unknown parameter", new String[] {"disk_usage", "{\"mount\": \"/\"}",
            "Tool disk_usage has no parameter [mount]: its parameters are [purpose]."},
        "argv missing", new String[] {"run_command", "{\"purpose\": \"x\"}",
            "Parameter [argv] of tool run_command is missing: expected the program followed by its arguments."},
        "argv empty", new String[] {"run_command", "{\"argv\": [], \"purpose\": \"x\"}",
            "Parameter [argv] of tool run_command is empty: expected the program followed by its arguments."});

    cases.forEach((name, c) -> assertThat(error(c[0], c[1])).as(name).isEqualTo(c[2]));
  }

  @Test
  void runCommandNeedsPurpose() {
    assertThat(error("run_command", "{\"argv\": [\"uptime\"]}"))
        .isEqualTo("Parameter [purpose] of tool run_command is missing: expected a short sentence.");
    assertThat(error("run_command", "{\"argv\": [\"uptime\"], \"purpose\": \" \"}"))
        .isEqualTo("Parameter [purpose] of tool run_command is empty: expected a short sentence.");
  }

  @Test
  void analyzerExceptionBecomesError() {
    assertThat(error("log_errors", "{\"file\": \"var/log/syslog\"}")).isEqualTo(
        "Tool log_errors cannot build its command: parameter [file] is invalid: [var/log/syslog] is not an absolute path.");
    assertThat(error("directory_sizes", "{\"roots\": [\"/var/../etc\"]}"))
        .contains("parameter [roots] is invalid").contains("'..' segment");
    assertThat(error("access_log_files", "{\"name\": \"../x\"}"))
        .contains("parameter [name] is invalid");
  }

  @Test
  void unlistedAnalyzerGetsPurposeOnly() {
    ToolCatalog custom = new ToolCatalog(new Analyzers(List.of(new FixedAnalyzer("uptime-check", List.of("uptime")))), profile);

    assertThat(custom.toolNames()).containsExactly("uptime_check", "run_command");
    assertThat(custom.specifications().get(0).parameters().properties()).containsOnlyKeys("purpose");
    assertThat(custom.plan("uptime_check", "{}").command().argv()).containsExactly("uptime");
  }

  @Test
  void emptyRenderIsError() {
    ToolCatalog custom = new ToolCatalog(new Analyzers(List.of(new FixedAnalyzer("nothing", List.of()))), profile);

    assertThat(custom.plan("nothing", "{}").error())
        .isEqualTo("Tool nothing cannot build its command: the analyzer rendered an empty argv or a null argument.");
  }

  @Test
  void reservedOrCollidingNamesRejected() {
    assertThatThrownBy(() -> new ToolCatalog(new Analyzers(List.of(new FixedAnalyzer("run-command", List.of("x")))), profile))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved or already taken");
    assertThatThrownBy(() -> new ToolCatalog(new Analyzers(List.of(new FixedAnalyzer("submit-insight", List.of("x")))), profile))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[submit_insight]");
    assertThatThrownBy(() -> new ToolCatalog(new Analyzers(List.of(
        new FixedAnalyzer("a-b", List.of("x")), new FixedAnalyzer("a_b", List.of("x")))), profile))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[a_b]");
    assertThatThrownBy(() -> new ToolCatalog(new Analyzers(List.of(new FixedAnalyzer("has space", List.of("x")))), profile))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is invalid");
  }

  @Test
  void emptyConfigTestsGiveStringService() {
    StackProfile none = new StackProfile(profile.diskRoots(), profile.webRoots(), profile.logDirs(),
        profile.accessLogNames(), profile.errorLogs(), profile.backupDirs(), profile.databaseDirs(), Map.of(),
        profile.largeFileMinKb(), profile.accessLogLines(), profile.errorLogLines(), profile.oldBackupDays(),
        profile.topProcesses());
    ToolCatalog catalog = new ToolCatalog(Analyzers.standard(none, Fixtures.CLOCK), none);

    assertThat(catalog.plan("config_test", "{\"service\": \"nginx\"}").error())
        .startsWith("Tool config_test cannot build its command: parameter [service] is invalid");
  }

  @Test
  void toolPlanRequiresExactlyOne() {
    Brain.PlannedCommand command = new Brain.PlannedCommand("raw", Json.object(), List.of("uptime"), "p");

    assertThatThrownBy(() -> new ToolCatalog.ToolPlan(null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ToolCatalog.ToolPlan(command, "e")).isInstanceOf(IllegalArgumentException.class);
  }

  /** An analyzer that always renders the same argv. */
  private record FixedAnalyzer(String name, List<String> argv) implements Analyzer {
    @Override
    public String description() {
      return "Runs " + argv + ".";
    }

    @Override
    public List<String> render(JsonNode params, StackProfile profile) {
      return argv;
    }

    @Override
    public JsonNode parse(CommandOutput output) {
      return Json.object();
    }
  }
}
