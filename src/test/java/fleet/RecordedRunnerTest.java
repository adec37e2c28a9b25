package fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fleet.CommandOutput.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordedRunnerTest {

  private static final HostEntry HOST = HostEntry.local("web-01");
  private static final int CAP = 64 * 1024;

  @TempDir
  Path directory;

  private static CommandRequest request(Duration timeout, String... argv) {
    return new CommandRequest(
        UUID.randomUUID().toString(), "incident-recorded-test", HOST.name(), List.of(argv), "raw", null, "test", timeout);
  }

  private static CommandOutput run(RecordedRunner runner, int cap, String... argv) throws Exception {
    return runner.run(request(Duration.ofSeconds(10), argv), HOST, cap).toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private RecordedRunner load(String json) throws Exception {
    Path file = directory.resolve("recording.json");
    Files.writeString(file, json);
    return RecordedRunner.fromFile(file);
  }

  @Test
  void firstMatchWins() throws Exception {
    RecordedRunner runner = load("""
        [
          {"match": "^df -P -k$", "stdout": "first\\n"},
          {"match": "df", "stdout": "second\\n", "exitCode": 1, "stderr": "df: warning\\n"}
        ]
        """);

    CommandOutput exact = run(runner, CAP, "df", "-P", "-k");
    CommandOutput other = run(runner, CAP, "df", "-P", "-i");

    assertThat(exact.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(exact.exitCode()).isZero();
    assertThat(exact.stdout()).isEqualTo("first\n");
    assertThat(exact.stderr()).isEmpty();
    assertThat(other.exitCode()).isEqualTo(1);
    assertThat(other.stdout()).isEqualTo("second\n");
    assertThat(other.stderr()).isEqualTo("df: warning\n");
  }

  @Test
  void matchSearchesArgvJoinedWithSpaces() throws Exception {
    RecordedRunner runner = load("[{\"match\": \"tail -n \\\\d+ /var/log/nginx/error\\\\.log\", \"stdout\": \"x\"}]");

    assertThat(run(runner, CAP, "tail", "-n", "200", "/var/log/nginx/error.log").stdout()).isEqualTo("x");
    assertThat(run(runner, CAP, "tail", "-n200", "/var/log/nginx/error.log").exitCode()).isEqualTo(127);
  }

  @Test
  void unmatchedArgvExits127() throws Exception {
    RecordedRunner runner = load("[{\"match\": \"^df\", \"stdout\": \"x\"}]");

    CommandOutput output = run(runner, CAP, "nginx", "-t");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isEqualTo(127);
    assertThat(output.stdout()).isEmpty();
    assertThat(output.stderr()).isEqualTo("fleet-sre recorded runner: no recording for: nginx -t\n");
  }

  @Test
  void readsStdoutFileRelativeToRecording() throws Exception {
    Files.createDirectories(directory.resolve("outputs"));
    Files.writeString(directory.resolve("outputs/ps.txt"), "    PID USER\n      1 root\n");
    RecordedRunner runner = load("[{\"match\": \"^ps \", \"stdoutFile\": \"outputs/ps.txt\"}]");

    assertThat(run(runner, CAP, "ps", "-eo", "pid,user").stdout()).isEqualTo("    PID USER\n      1 root\n");
  }

  @Test
  void capsAndCleansOutput() throws Exception {
    RecordedRunner runner = load("[{\"match\": \"cat\", \"stdout\": \"abc\\u001b[31mdefghij\", \"stderr\": \"e\\r\\n\"}]");

    CommandOutput output = run(runner, 8, "cat", "/proc/loadavg");

    assertThat(output.stdout()).isEqualTo("abc[31m");
    assertThat(output.stderr()).isEqualTo("e\n");
    assertThat(output.truncated()).isTrue();
  }

  @Test
  void latencyDelaysCompletion() throws Exception {
    RecordedRunner runner = new RecordedRunner(List.of(
        new RecordedRunner.Recording(Pattern.compile("uptime"), 0, "up\n", "", Duration.ofMillis(150))));

    long started = System.nanoTime();
    CommandOutput output = run(runner, CAP, "uptime");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertThat(output.duration()).isEqualTo(Duration.ofMillis(150));
    assertThat(output.stdout()).isEqualTo("up\n");
  }

  @Test
  void latencyBeyondTimeoutTimesOut() throws Exception {
    RecordedRunner runner = new RecordedRunner(List.of(
        new RecordedRunner.Recording(Pattern.compile("du"), 0, "1\t/var/log\n", "", Duration.ofSeconds(5))));

    CommandOutput output = runner.run(request(Duration.ofMillis(100), "du", "-x", "-k", "-d", "3", "/var/log"), HOST, CAP)
        .toCompletableFuture().get(15, TimeUnit.SECONDS);

    assertThat(output.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(output.exitCode()).isEqualTo(-1);
    assertThat(output.error()).isEqualTo("timed out after 100 ms");
  }

  @Test
  void rejectsInvalidRecordingNamingField() throws Exception {
    assertThatThrownBy(() -> load("{\"match\": \"df\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recording.json").hasMessageContaining("$: expected a JSON list");
    assertThatThrownBy(() -> load("[{\"stdout\": \"x\"}]"))
        .hasMessageContaining("$[0].match: missing");
    assertThatThrownBy(() -> load("[{\"match\": \"df\"}, {\"match\": \"(\"}]"))
        .hasMessageContaining("$[1].match: invalid regular expression");
    assertThatThrownBy(() -> load("[{\"match\": \"df\", \"exitCode\": \"1\"}]"))
        .hasMessageContaining("$[0].exitCode: expected an integer from 0 to 255");
    assertThatThrownBy(() -> load("[{\"match\": \"df\", \"exitcode\": 1}]"))
        .hasMessageContaining("$[0].exitcode: unknown field");
    assertThatThrownBy(() -> load("[{\"match\": \"df\", \"stdout\": \"x\", \"stdoutFile\": \"a.txt\"}]"))
        .hasMessageContaining("$[0].stdoutFile: set either stdout or stdoutFile");
    assertThatThrownBy(() -> load("[{\"match\": \"df\", \"stdoutFile\": \"../secret.txt\"}]"))
        .hasMessageContaining("$[0].stdoutFile: [../secret.txt] points outside");
    assertThatThrownBy(() -> load("[{\"match\": \"df\", \"stdoutFile\": \"missing.txt\"}]"))
        .hasMessageContaining("$[0].stdoutFile: cannot read");
    assertThatThrownBy(() -> load("[{\"match\": \"df\", \"latencyMillis\": -5}]"))
        .hasMessageContaining("$[0].latencyMillis");
    assertThatThrownBy(() -> load("[not json"))
        .hasMessageContaining("is not valid JSON");
  }

  @Test
  void missingFileIsReported() {
    assertThatThrownBy(() -> RecordedRunner.fromFile(directory.resolve("nope.json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read")
        .hasMessageContaining("nope.json");
  }
}
