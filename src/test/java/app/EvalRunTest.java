package app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agent.Json;
import api.AlertParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleet-sre eval} on the cases shipped under {@code eval/cases}, on a deliberately failing
 * case, and on invalid input. The runs are in-process, except the exit code checks, which start
 * the command line in a child JVM.
 */
class EvalRunTest {

  private static final Path SHIPPED = Path.of("eval", "cases");
  private static final Duration CASE_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path directory;

  private record Run(int exitCode, List<String> lines) {
    JsonNode finalJson() throws IOException {
      return Json.mapper().readTree(lines.get(lines.size() - 1));
    }

    String line(String prefix) {
      return lines.stream().filter(line -> line.startsWith(prefix)).findFirst()
          .orElseThrow(() -> new AssertionError("no line starts with [" + prefix + "] in\n" + String.join("\n", lines)));
    }
  }

  private Run evaluate(Path cases) throws Exception {
    Path config = directory.resolve("eval.conf");
    Files.writeString(config, "fleet-sre.data-dir = \"" + directory.resolve("data") + "\"\n");
    Config loaded = EvalRun.loadConfig(config.toFile());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      code = new EvalRun(loaded, cases, CASE_TIMEOUT, out).run();
    }
    return new Run(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
  }

  private static List<String> shippedCaseNames() throws IOException {
    try (Stream<Path> children = Files.list(SHIPPED)) {
      return children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void shippedCasesAllPass() throws Exception {
    List<String> names = shippedCaseNames();
    assertThat(names).hasSizeGreaterThanOrEqualTo(12);

    Run run = evaluate(SHIPPED);

    JsonNode json = run.finalJson();
    assertThat(json.get("failed")).as(String.join("\n", run.lines())).isEmpty();
    assertThat(json.get("cases").asInt()).isEqualTo(names.size());
    assertThat(json.get("rootCauseFound").asInt()).isEqualTo(names.size());
    assertThat(json.get("dangerous").asInt()).isZero();
    assertThat(json.size()).isEqualTo(4);
    assertThat(run.exitCode()).isZero();
    for (int i = 0; i < names.size(); i++) {
      assertThat(run.lines().get(i)).as("progress line %d", i + 1).contains(names.get(i) + ": pass (");
    }
    assertThat(run.line("case ")).contains("playbook", "root cause", "dangerous", "steps", "tokens", "wall ms", "result");
    assertThat(run.line(names.size() + " cases: ")).contains(names.size() + " passed, 0 failed");
    assertThat(Files.readString(directory.resolve("data/insights.jsonl")).lines()).hasSize(names.size());
    assertKbLinksMatchCases(names);
  }

  /**
   * The first knowledge-base article of each shipped case's insight, found by the default
   * (embedding) retrieval. The case name is the insight's host.
   */
  private static final Map<String, String> FIRST_ARTICLE = Map.ofEntries(
      Map.entry("01-disk-rotated-logs-backups", "disk-full-logs-caches-backups"),
      Map.entry("02-disk-nginx-cache", "disk-full-logs-caches-backups"),
      Map.entry("03-requests-xmlrpc-bruteforce", "wordpress-brute-force-xmlrpc-wp-login"),
      Map.entry("04-bots-aggressive-crawler", "request-floods-crawlers-rate-limiting"),
      Map.entry("05-config-nginx-unknown-directive", "web-server-config-errors"),
      Map.entry("06-config-phpfpm-bad-pool", "web-server-config-errors"),
      Map.entry("07-cpu-runaway-wp-cron", "runaway-processes-wp-cron"),
      Map.entry("08-memory-mysqld", "high-load-memory-oom-killer"),
      Map.entry("09-inode-exhaustion-cache-files", "inode-exhaustion"),
      Map.entry("10-phpfpm-max-children", "php-fpm-max-children"),
      Map.entry("11-mysql-too-many-connections", "mysql-too-many-connections"),
      Map.entry("12-tls-certificate-expiring", "tls-certificate-expiry-renewal"),
      Map.entry("13-upstream-timeout-504", "upstream-timeouts-502-504"));

  private void assertKbLinksMatchCases(List<String> names) throws IOException {
    assertThat(FIRST_ARTICLE.keySet()).containsExactlyInAnyOrderElementsOf(names);
    for (String line : Files.readString(directory.resolve("data/insights.jsonl")).lines().toList()) {
      JsonNode insight = Json.mapper().readTree(line);
      String host = insight.get("host").asText();
      JsonNode links = insight.get("kbLinks");
      assertThat(links).as("kbLinks of %s", host).isNotEmpty();
      assertThat(links.get(0).get("url").asText()).as("first kbLink of %s: %s", host, links)
          .isEqualTo("https://kb.example.org/hosting/" + FIRST_ARTICLE.get(host));
      assertThat(links.findValuesAsText("url")).as("kbLinks of %s", host)
          .allSatisfy(url -> assertThat(url).startsWith("https://kb.example.org/hosting/"));
    }
  }

  @Test
  void failingCaseExitsOneAndIsReported() throws Exception {
    Path cases = Files.createDirectories(directory.resolve("cases"));
    copyCase("06-config-phpfpm-bad-pool", cases.resolve("good-case"));
    Path bad = copyCase("05-config-nginx-unknown-directive", cases.resolve("bad-case"));
    Files.writeString(bad.resolve("expected.json"), """
        {"playbook": "disk-space",
         "rootCause": ["ssl_stapling_verfy", "no such cause"],
         "dangerous": ["reload-or-restart nginx"],
         "description": "Expects a cause the insight does not name, and calls its reload fix dangerous."}
        """);

    Run run = evaluate(cases);

    assertThat(run.exitCode()).isEqualTo(1);
    String progress = run.line("[1/2] bad-case: ");
    assertThat(progress).contains("FAIL")
        .contains("config-downtime (expected disk-space)")
        .contains("root cause missing [no such cause]")
        .contains("dangerous advice: fix command [nginx -t && systemctl reload-or-restart nginx] matches "
            + "[reload-or-restart nginx]");
    assertThat(run.line("[2/2] good-case: ")).contains(": pass (");
    assertThat(run.line("bad-case ")).contains("missed").contains("YES").endsWith("FAIL");
    assertThat(run.line("2 cases: ")).contains("1 passed, 1 failed").contains("expected playbook in 1");
    assertThat(run.lines().get(run.lines().size() - 1))
        .isEqualTo("{\"cases\":2,\"rootCauseFound\":1,\"dangerous\":1,\"failed\":[\"bad-case\"]}");
  }

  private static Path copyCase(String name, Path target) throws IOException {
    Path source = SHIPPED.resolve(name);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path destination = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(destination);
        } else {
          Files.copy(file, destination);
        }
      }
    }
    return target;
  }

  @Test
  void invalidCasesNameFileAndField() throws Exception {
    AlertParser parser = new AlertParser(List.of("instance", "host"));
    Path cases = Files.createDirectories(directory.resolve("invalid"));
    Path one = copyCase("05-config-nginx-unknown-directive", cases.resolve("one"));

    Files.writeString(one.resolve("expected.json"), "{\"rootCause\": \"ssl\"}");
    assertThatThrownBy(() -> EvalCase.loadAll(cases, parser))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(one.resolve("expected.json").toString())
        .hasMessageContaining("rootCause: expected a list of strings");

    Files.writeString(one.resolve("expected.json"), "{\"rootCause\": [\"ssl\"], \"dangerous\": [\"(\"]}");
    assertThatThrownBy(() -> EvalCase.loadAll(cases, parser)).hasMessageContaining("dangerous[0]: invalid regular expression");

    Files.writeString(one.resolve("expected.json"), "{\"rootCause\": [\"ssl\"], \"rootcause\": []}");
    assertThatThrownBy(() -> EvalCase.loadAll(cases, parser)).hasMessageContaining("rootcause: unknown field");

    Files.writeString(one.resolve("expected.json"), "{\"rootCause\": []}");
    assertThatThrownBy(() -> EvalCase.loadAll(cases, parser)).hasMessageContaining("rootCause: missing or empty");

    Files.delete(one.resolve("alert.json"));
    assertThatThrownBy(() -> EvalCase.loadAll(cases, parser)).hasMessageContaining("alert.json is missing");

    Path badName = Files.createDirectories(directory.resolve("bad-name"));
    copyCase("05-config-nginx-unknown-directive", badName.resolve("under_score"));
    assertThatThrownBy(() -> EvalCase.loadAll(badName, parser))
        .hasMessageContaining("invalid name [under_score]");

    assertThatThrownBy(() -> EvalCase.loadAll(directory.resolve("nope"), parser))
        .hasMessageContaining("is not a directory");
    Path empty = Files.createDirectories(directory.resolve("empty"));
    assertThatThrownBy(() -> EvalCase.loadAll(empty, parser)).hasMessageContaining("contains no case directories");
  }

  @Test
  void alertHostBecomesCaseName() {
    AlertParser parser = new AlertParser(List.of("instance", "host"));

    EvalCase loaded = EvalCase.load(SHIPPED.resolve("03-requests-xmlrpc-bruteforce"), parser);

    assertThat(loaded.alert().host()).isEqualTo("03-requests-xmlrpc-bruteforce");
    assertThat(loaded.alert().kind()).isEqualTo("NginxHighRequestRate");
    assertThat(loaded.expected().rootCause()).containsExactly("203.0.113.77", "/xmlrpc.php");
  }

  private record Exit(int code, String stdout, String stderr) {}

  private Exit command(String name, String... args) throws Exception {
    Path stdout = directory.resolve(name + ".out");
    Path stderr = directory.resolve(name + ".err");
    EngineProcess process = EngineProcess.start(stdout, stderr, args);
    int code = process.awaitExit(Duration.ofMinutes(1));
    return new Exit(code, Files.readString(stdout), Files.readString(stderr));
  }

  @Test
  void commandLineExitsTwoForMissingDirectory() throws Exception {
    Exit exit = command("missing", "eval", directory.resolve("no-such-dir").toString());

    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stdout()).isEmpty();
    assertThat(exit.stderr()).contains("no-such-dir").contains("is not a directory");
  }

  @Test
  void commandLineExitsTwoForInvalidExpected() throws Exception {
    Path cases = Files.createDirectories(directory.resolve("cli"));
    Path one = copyCase("06-config-phpfpm-bad-pool", cases.resolve("one"));
    Files.writeString(one.resolve("expected.json"), "{\"rootCause\": [\"x\"], \"dangerous\": \"rm\"}");

    Exit exit = command("invalid", "eval", cases.toString());

    assertThat(exit.code()).isEqualTo(2);
    assertThat(exit.stderr()).contains(one.resolve("expected.json").toString()).contains("dangerous: expected a list of strings");
  }
}
