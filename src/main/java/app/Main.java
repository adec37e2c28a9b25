package app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code fleet-sre} command line. */
@Command(
    name = "fleet-sre",
    mixinStandardHelpOptions = true,
    version = "fleet-sre 0.1.0",
    description = "Autonomous SRE engine: investigates alerts about Linux web servers and emits insights.",
    subcommands = {Main.Serve.class, Main.Demo.class, Main.Investigate.class, Main.Eval.class, BenchCommand.class})
public final class Main implements Runnable {

  /** Exit code for invalid input or configuration. */
  static final int EXIT_USAGE = 2;

  /** Exit code when the engine ran but produced no insight. */
  static final int EXIT_NO_INSIGHT = 1;

  /** Exit code of {@code investigate} when the judge held an insight for review instead of publishing it. */
  static final int EXIT_HELD = 3;

  /** Exit code of {@code eval} when a case missed its root cause or gave dangerous advice. */
  static final int EXIT_CASES_FAILED = 1;

  /**
   * On a machine with 2 cores the JDK's common pool has parallelism 1, and then every asynchronous
   * callback without an executor starts a new thread. Two workers avoid that; a value set by the
   * user is kept.
   */
  private static void sizeCommonPool() {
    String property = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(property) == null) {
      System.setProperty(property, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  public static void main(String[] args) {
    sizeCommonPool();
    int code = new CommandLine(new Main())
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          commandLine.getErr().println("fleet-sre: " + e.getMessage());
          return e instanceof IllegalArgumentException || e instanceof ConfigException ? EXIT_USAGE : EXIT_NO_INSIGHT;
        })
        .execute(args);
    System.exit(code);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  /**
   * Loads application.conf with an optional override file on top. The file is merged before
   * substitutions are resolved, so an override of one key also changes the keys derived from it.
   */
  static Config loadConfig(File overrides) {
    return loadConfig(overrides, ConfigFactory.empty());
  }

  /** Loads the configuration like {@link #loadConfig(File)}, with {@code defaults} between the file and application.conf. */
  static Config loadConfig(File overrides, Config defaults) {
    Config base = defaults.withFallback(ConfigFactory.defaultApplication());
    if (overrides != null) {
      if (!Files.isReadable(overrides.toPath())) {
        throw new IllegalArgumentException("--config: cannot read [" + overrides + "]; pass an existing HOCON file");
      }
      // Typesafe Config resolves a relative include against the parent folder of the file it parses,
      // and a bare file name has none, so such includes were silently skipped.
      base = ConfigFactory.parseFile(overrides.getAbsoluteFile()).withFallback(base);
    }
    return ConfigFactory.load(base);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Runs the engine and its HTTP API until SIGTERM, then shuts down gracefully.")
  static final class Serve implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file with settings that override the defaults.")
    File config;

    @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: fleet-sre.http.port, 8080).")
    Integer port;

    @Override
    public Integer call() throws Exception {
      Config loaded = loadConfig(config);
      int httpPort = port != null ? port : loaded.getInt("fleet-sre.http.port");
      Engine engine = Engine.start(loaded);
      CountDownLatch stopped = new CountDownLatch(1);
      AtomicBoolean signalled = new AtomicBoolean(false);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        signalled.set(true);
        engine.close();
        stopped.countDown();
      }, "fleet-sre-shutdown"));
      // A node that the split brain resolver downs stops its actor system on its own. The process
      // then exits with an error, so that its supervisor (Kubernetes, systemd) starts it again.
      engine.system().getWhenTerminated().thenRun(stopped::countDown);
      engine.bindHttp(httpPort);
      stopped.await();
      if (!signalled.get()) {
        System.err.println("fleet-sre: the actor system stopped without a shutdown signal (this node was removed "
            + "from the cluster); exiting");
        return EXIT_NO_INSIGHT;
      }
      return 0;
    }
  }

  @Command(name = "demo", mixinStandardHelpOptions = true,
      description = "Starts the engine on the embedded default, sends it a bundled Alertmanager alert about disk "
          + "usage on localhost, investigates this machine and prints the insight.")
  static final class Demo implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file with settings that override the defaults.")
    File config;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
        description = "How long to wait for the insight, e.g. 90s or 5m (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
      return new DemoRun(loadConfig(config), Durations.parse("--timeout", timeout)).run();
    }
  }

  @Command(name = "investigate", mixinStandardHelpOptions = true,
      description = "Reads a native or Alertmanager alert from a file, runs the incident to its end and prints the "
          + "insight JSON to stdout (logs go to stderr). Exits 0 when an insight was produced.")
  static final class Investigate implements Callable<Integer> {

    @Option(names = "--alert", paramLabel = "FILE", required = true,
        description = "The alert: native alert JSON, an array of them, or an Alertmanager webhook payload.")
    File alert;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file with settings that override the defaults.")
    File config;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
        description = "How long to wait for the insight, e.g. 90s or 10m (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
      return new InvestigateRun(loadConfig(config), alert.toPath(), Durations.parse("--timeout", timeout)).run();
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Replays recorded cases: for each case directory under DIR, sends its alert to one engine whose "
          + "commands are answered from the case's recording.json, and scores the insight against expected.json. "
          + "Prints a progress line per case, a table, the totals and a final JSON line. Exits 0 when every case "
          + "found its root cause without dangerous advice, 1 otherwise, 2 for invalid input.")
  static final class Eval implements Callable<Integer> {

    @CommandLine.Parameters(index = "0", paramLabel = "DIR",
        description = "Directory with one sub-directory per case (alert.json, recording.json, expected.json).")
    File directory;

    @Option(names = "--config", paramLabel = "FILE",
        description = "HOCON file with settings that override the defaults, including the evaluation's in-memory "
            + "journal and temporary insight file.")
    File config;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m",
        description = "How long one case may take, e.g. 30s or 2m (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
      Duration perCase = Durations.parse("--timeout", timeout);
      return new EvalRun(EvalRun.loadConfig(config), directory.toPath(), perCase, System.out).run();
    }
  }
}
