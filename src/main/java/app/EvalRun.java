package app;

import actors.IncidentState;
import actors.IngestReply;
import agent.Alert;
import agent.Insight;
import api.AlertParser;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandRunner;
import fleet.HostEntry;
import fleet.RecordedRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fleet-sre eval DIR}: runs every case directory under DIR through one engine whose
 * commands get their output from the cases' recordings, and scores each insight. Prints one progress
 * line per case, a table, the totals and a final JSON line for scripts. Returns 0 when every case
 * found its root cause without dangerous advice, else 1.
 */
final class EvalRun {

  private static final Logger LOG = LoggerFactory.getLogger(EvalRun.class);


  private final Config config;
  private final Path casesDirectory;
  private final Duration timeout;
  private final PrintStream out;

  /**
   * @param config the full configuration, as {@link #loadConfig} builds it
   * @param casesDirectory the directory that contains one sub-directory per case
   * @param timeout how long one case may take
   * @param out where the progress, table, totals and JSON line go
   */
  EvalRun(Config config, Path casesDirectory, Duration timeout, PrintStream out) {
    this.config = config;
    this.casesDirectory = casesDirectory;
    this.timeout = timeout;
    this.out = out;
  }

  /**
   * Builds the configuration of an evaluation: the override file on top of the evaluation's
   * defaults, which sit on top of application.conf. The defaults are an in-memory H2 journal, a
   * JSON Lines insight file in a new directory under the system temp directory, and an inventory
   * entry for every host, because the recordings supply the output of every command. They also win over the
   * FLEET_SRE_* environment variables, so an evaluation never writes into a production journal.
   */
  static Config loadConfig(java.io.File overrides) {
    Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "fleet-sre-eval-" + UUID.randomUUID());
    Config defaults = ConfigFactory.empty()
        .withValue("fleet-sre.journal.url", ConfigValueFactory.fromAnyRef(
            "jdbc:h2:mem:eval-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE"))
        .withValue("fleet-sre.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
        .withValue("fleet-sre.insights.sink", ConfigValueFactory.fromAnyRef("jsonl"))
        .withValue("fleet-sre.inventory.default.runner", ConfigValueFactory.fromAnyRef("local"));
    return Main.loadConfig(overrides, defaults);
  }

  int run() throws Exception {
    AlertParser parser = new AlertParser(config.getStringList("fleet-sre.ingest.host-labels"));
    List<EvalCase> cases = EvalCase.loadAll(casesDirectory, parser);
    Map<String, RecordedRunner> runners = new LinkedHashMap<>();
    for (EvalCase evalCase : cases) {
      runners.put(evalCase.name(), evalCase.runner());
    }
    LOG.info("evaluating [{}] cases from [{}]", cases.size(), casesDirectory);

    List<Result> results = new ArrayList<>();
    long started = System.nanoTime();
    try (Engine engine = Engine.start(config, new CaseRouter(runners))) {
      // Every case gets the same retrieval of related articles, so the first ones do not fall
      // back to keyword retrieval while the embedding index is still being built.
      engine.awaitKnowledgeBase();
      for (int i = 0; i < cases.size(); i++) {
        Result result = runCase(engine, cases.get(i));
        results.add(result);
        out.printf(Locale.ROOT, "[%" + digits(cases.size()) + "d/%d] %s%n", i + 1, cases.size(), result.progressLine());
        out.flush();
      }
    }
    Duration total = Duration.ofNanos(System.nanoTime() - started);

    out.println();
    printTable(results);
    out.println();
    printTotals(results, total);
    out.println(finalJson(results));
    out.flush();
    return results.stream().allMatch(Result::passed) ? 0 : Main.EXIT_CASES_FAILED;
  }

  private Result runCase(Engine engine, EvalCase evalCase) {
    // startsAt is now, so a second run against a kept journal opens a new incident instead of counting a repeat delivery.
    Alert alert = evalCase.alert();
    Alert submitted = new Alert(alert.host(), alert.kind(), alert.severity(), alert.summary(), alert.labels(),
        alert.annotations(), Instant.now(), alert.fingerprint(), "eval");
    long started = System.nanoTime();
    try {
      IngestReply.Accepted accepted = engine.intake().firing(submitted).toCompletableFuture().get(30, TimeUnit.SECONDS);
      LOG.info("case [{}]: alert [{}] for host [{}] is incident [{}] ({})",
          evalCase.name(), alert.kind(), alert.host(), accepted.incidentId(), accepted.disposition());
      IncidentState state = IncidentWatch.awaitFinished(engine.intake(), accepted.incidentId(), timeout);
      long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      if (state.insight() == null) {
        return Result.error(evalCase, millis, "no insight: the incident closed (" + state.outcome() + " "
            + state.closeReason() + ")");
      }
      Insight insight = state.insight();
      return new Result(evalCase.name(), evalCase.expected().playbook(), insight.playbook(), insight.status(),
          EvalScoring.missingRootCause(insight, evalCase.expected().rootCause()),
          EvalScoring.dangerousAdvice(insight, evalCase.expected().dangerous()),
          insight.timings().steps(), EvalScoring.tokens(insight), millis, "");
    } catch (Exception e) {
      long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      LOG.error("case [{}] on host [{}] failed to run", evalCase.name(), alert.host(), e);
      return Result.error(evalCase, millis, "failed to run: " + e.getMessage());
    }
  }

  private void printTable(List<Result> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"case", "playbook", "root cause", "dangerous", "steps", "tokens", "wall ms", "result"});
    for (Result result : results) {
      String rootCause = result.rootCauseFound() ? "found" : "missed";
      if (!result.error().isEmpty()) {
        rootCause = "-";
      }
      rows.add(new String[] {
          result.name(),
          result.playbookText(),
          rootCause,
          result.dangerous().isEmpty() ? "no" : "YES",
          Integer.toString(result.steps()),
          Long.toString(result.tokens()),
          Long.toString(result.wallMillis()),
          result.passed() ? "pass" : "FAIL"});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int column = 0; column < row.length; column++) {
        widths[column] = Math.max(widths[column], row[column].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int column = 0; column < row.length; column++) {
        boolean numeric = column >= 4 && column <= 6;
        String format = "%" + (numeric ? "" : "-") + widths[column] + "s";
        line.append(String.format(Locale.ROOT, format, row[column]));
        if (column < row.length - 1) {
          line.append("  ");
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private void printTotals(List<Result> results, Duration total) {
    long passed = results.stream().filter(Result::passed).count();
    long found = results.stream().filter(Result::rootCauseFound).count();
    long dangerous = results.stream().filter(r -> !r.dangerous().isEmpty()).count();
    long playbookAsExpected = results.stream().filter(Result::playbookAsExpected).count();
    long steps = results.stream().mapToLong(Result::steps).sum();
    long tokens = results.stream().mapToLong(Result::tokens).sum();
    out.printf(Locale.ROOT, "%d cases: %d passed, %d failed. Root cause found in %d, dangerous advice in %d, "
            + "expected playbook in %d. %d steps, %d tokens, %.1f s.%n",
        results.size(), passed, results.size() - passed, found, dangerous, playbookAsExpected, steps, tokens,
        total.toMillis() / 1000.0);
    if (config.getString("fleet-sre.insights.sink").equals("jsonl")) {
      Path file = Path.of(config.getString("fleet-sre.insights.jsonl-file"));
      if (!file.isAbsolute()) {
        file = Path.of(config.getString("fleet-sre.data-dir")).resolve(file);
      }
      out.println("Insights: " + file.toAbsolutePath());
    }
  }

  /** Returns {@code {"cases":N,"rootCauseFound":N,"dangerous":N,"failed":[names]}} on one line. */
  static String finalJson(List<Result> results) {
    ObjectNode json = agent.Json.mapper().createObjectNode();
    json.put("cases", results.size());
    json.put("rootCauseFound", results.stream().filter(Result::rootCauseFound).count());
    json.put("dangerous", results.stream().filter(r -> !r.dangerous().isEmpty()).count());
    ArrayNode failed = json.putArray("failed");
    results.stream().filter(r -> !r.passed()).forEach(r -> failed.add(r.name()));
    return agent.Json.write(json);
  }

  private static int digits(int number) {
    return Integer.toString(number).length();
  }

  /**
   * The score of one case.
   *
   * @param name the case
   * @param expectedPlaybook the playbook expected.json names, or empty
   * @param playbook the playbook the insight names, or empty without an insight
   * @param status the insight status, or empty without an insight
   * @param missing expected root cause substrings that the insight lacks
   * @param dangerous the dangerous advice found, one description each
   * @param steps investigation steps
   * @param tokens model tokens spent
   * @param wallMillis from submitting the alert until the incident finished
   * @param error why the case produced no insight, else empty
   */
  record Result(String name, String expectedPlaybook, String playbook, String status, List<String> missing,
      List<String> dangerous, int steps, long tokens, long wallMillis, String error) {

    static Result error(EvalCase evalCase, long wallMillis, String error) {
      return new Result(evalCase.name(), evalCase.expected().playbook(), "", "", evalCase.expected().rootCause(),
          List.of(), 0, 0, wallMillis, error);
    }

    boolean rootCauseFound() {
      return error.isEmpty() && missing.isEmpty();
    }

    /** Returns whether the insight names the root cause and gives no dangerous advice. A playbook mismatch is only reported. */
    boolean passed() {
      return rootCauseFound() && dangerous.isEmpty();
    }

    boolean playbookAsExpected() {
      return expectedPlaybook.isEmpty() || expectedPlaybook.equals(playbook);
    }

    String playbookText() {
      if (playbook.isEmpty()) {
        return "-";
      }
      return playbookAsExpected() ? playbook : playbook + " (expected " + expectedPlaybook + ")";
    }

    String progressLine() {
      StringBuilder line = new StringBuilder(name).append(": ").append(passed() ? "pass" : "FAIL");
      if (!error.isEmpty()) {
        return line.append(", ").append(error).toString();
      }
      line.append(String.format(Locale.ROOT, " (%s, status %s, %d steps, %d tokens, %d ms)",
          playbookText(), status, steps, tokens, wallMillis));
      if (!missing.isEmpty()) {
        line.append("; root cause missing ").append(missing);
      }
      if (!dangerous.isEmpty()) {
        line.append("; dangerous advice: ").append(String.join("; ", dangerous));
      }
      return line.toString();
    }
  }

  /** Sends each command to the recordings of the case whose host it is for. */
  private static final class CaseRouter implements CommandRunner {

    private final Map<String, RecordedRunner> byHost;

    CaseRouter(Map<String, RecordedRunner> byHost) {
      this.byHost = Map.copyOf(byHost);
    }

    @Override
    public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
      RecordedRunner runner = byHost.get(request.host());
      if (runner == null) {
        String error = "host [" + request.host() + "] is not an evaluation case";
        LOG.error("command [{}] of incident [{}] on host [{}] not replayed: {}",
            request.commandId(), request.incidentId(), request.host(), error);
        return CompletableFuture.completedFuture(
            CommandOutput.failed(CommandOutput.Outcome.NOT_IN_INVENTORY, error, Duration.ZERO));
      }
      return runner.run(request, host, outputCapBytes);
    }
  }
}
