package app;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * fleet-sre run as a separate JVM with the test classpath, so that a test can kill it with
 * SIGKILL the way a node dies, or read its exit code and output the way a user would.
 */
final class EngineProcess implements AutoCloseable {

  final Process process;
  final Path log;

  private EngineProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code fleet-sre ARGS...}; stdout and stderr go to {@code log}. */
  static EngineProcess start(Path log, String... args) throws IOException {
    return start(log, log, args);
  }

  /** Starts {@code fleet-sre ARGS...} with stdout and stderr in separate files. */
  static EngineProcess start(Path stdout, Path stderr, String... args) throws IOException {
    return start(java.util.Map.of(), stdout, stderr, args);
  }

  /** Starts {@code fleet-sre ARGS...} with extra environment variables. */
  static EngineProcess start(java.util.Map<String, String> environment, Path stdout, Path stderr, String... args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "app.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    // Keyword retrieval keeps the ONNX Runtime out of child engines. Its own shutdown hook releases its
    // native environment, so a SIGTERM while the embedding index is built crashes the JVM (exit 134),
    // and these tests stop engines with SIGTERM seconds after start and expect 143.
    builder.environment().put("FLEET_SRE_KB_RETRIEVAL", "keyword");
    builder.environment().putAll(environment);
    if (stdout.equals(stderr)) {
      builder.redirectErrorStream(true);
    } else {
      builder.redirectError(stderr.toFile());
    }
    builder.redirectOutput(stdout.toFile());
    return new EngineProcess(builder.start(), stderr);
  }

  /** Polls /health/ready until the engine answers 200. */
  void awaitReady(TestEnvironment environment, int port, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("engine exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> response = environment.get(port, "/health/ready");
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // The port opens only once the engine is started.
      }
      Thread.sleep(200);
    }
    throw new AssertionError("engine not ready within " + timeout + ":\n" + Files.readString(log));
  }

  /** Waits for the process to exit and returns its exit code. */
  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process did not exit within " + timeout + ":\n" + Files.readString(log));
    }
    return process.exitValue();
  }

  /** Kills the JVM with SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
