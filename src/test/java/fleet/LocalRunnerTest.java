package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.CommandOutput.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalRunnerTest {

  private static final HostEntry HOST = HostEntry.local("localhost");
  private static final int CAP = 64 * 1024;

  private final LocalRunner runner = new LocalRunner(2);

  @AfterEach
  void closeRunner() {
    runner.close();
  }

  private static CommandRequest request(Duration timeout, String... argv) {
    return new CommandRequest(
        UUID.randomUUID().toString(), "incident-local-test", HOST.name(), List.of(argv), "raw", null, "test", timeout);
  }

  private CompletableFuture<CommandOutput> start(Duration timeout, int cap, String... argv) {
    return runner.run(request(timeout, argv), HOST, cap).toCompletableFuture();
  }

  private CommandOutput run(String... argv) throws Exception {
    return start(Duration.ofSeconds(10), CAP, argv).get(15, TimeUnit.SECONDS);
  }

  @Test
  void returnsStdoutAndZeroExit() throws Exception {
    CommandOutput output = run("echo", "hello");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isZero();
    assertThat(output.stdout()).isEqualTo("hello\n");
    assertThat(output.stderr()).isEmpty();
    assertThat(output.truncated()).isFalse();
    assertThat(output.error()).isEmpty();
  }

  @Test
  void returnsNonZeroExitAndStderr() throws Exception {
    CommandOutput output = run("sh", "-c", "echo out; echo oops >&2; exit 3");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isEqualTo(3);
    assertThat(output.stdout()).isEqualTo("out\n");
    assertThat(output.stderr()).isEqualTo("oops\n");
  }

  @Test
  void passesSemicolonLiterally() throws Exception {
    CommandOutput output = run("echo", "a; echo b");

    assertThat(output.stdout()).isEqualTo("a; echo b\n");
  }

  @Test
  void passesSubstitutionLiterally() throws Exception {
    CommandOutput output = run("echo", "$(id)", "`id`", "$HOME");

    assertThat(output.stdout()).isEqualTo("$(id) `id` $HOME\n");
  }

  @Test
  void missingProgramExits127() throws Exception {
    CommandOutput output = run("fleet-sre-no-such-program", "-t");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isEqualTo(127);
    assertThat(output.stderr()).isEqualTo("fleet-sre: program not found: fleet-sre-no-such-program\n");
  }

  @Test
  void capsLargeOutputWithoutBlocking() throws Exception {
    // About 15 MB of output: far beyond the pipe buffer, so a reader that stopped at the cap would hang seq.
    CommandOutput output = run("seq", "1", "2000000");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isZero();
    assertThat(output.truncated()).isTrue();
    assertThat(output.stdout()).hasSize(CAP);
    assertThat(output.stdout()).startsWith("1\n2\n3\n");
  }

  @Test
  void capsEndlessOutputUntilTimeout() throws Exception {
    CommandOutput output = start(Duration.ofMillis(500), 1024, "yes", "fleet").get(10, TimeUnit.SECONDS);

    assertThat(output.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(output.truncated()).isTrue();
    assertThat(output.stdout()).hasSize(1024);
    assertThat(output.stdout()).startsWith("fleet\nfleet\n");
  }

  @Test
  void timeoutKillsProcess() throws Exception {
    String marker = "29.7" + (100 + (int) (Math.random() * 800));
    long startNanos = System.nanoTime();

    CommandOutput output = start(Duration.ofMillis(500), CAP, "sleep", marker).get(10, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(5));
    assertThat(output.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(output.exitCode()).isEqualTo(-1);
    assertThat(output.error()).contains("timed out");
    Poll.until(() -> !Poll.processRunning("sleep " + marker), Duration.ofSeconds(5), "sleep " + marker + " to be killed");
  }

  @Test
  void timeoutKillsProcessTree() throws Exception {
    String marker = "28.6" + (100 + (int) (Math.random() * 800));
    // "; true" keeps sh alive as the parent instead of letting it exec sleep.
    CommandOutput output = start(Duration.ofMillis(500), CAP, "sh", "-c", "sleep " + marker + "; true")
        .get(10, TimeUnit.SECONDS);

    assertThat(output.outcome()).isEqualTo(Outcome.TIMED_OUT);
    Poll.until(() -> !Poll.processRunning("sleep " + marker), Duration.ofSeconds(5), "child sleep " + marker + " to be killed");
  }

  @Test
  void stdinIsEmpty() throws Exception {
    CommandOutput output = run("cat");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.stdout()).isEmpty();
  }

  @Test
  void stripsControlCharacters() throws Exception {
    CommandOutput output = run("printf", "a\\033[31mb\\r\\n\\tc\\n");

    assertThat(output.stdout()).isEqualTo("a[31mb\n\tc\n");
  }

  @Test
  void queuedCommandTimesOutWhileWaiting() throws Exception {
    try (LocalRunner single = new LocalRunner(1)) {
      String marker = "27.5" + (100 + (int) (Math.random() * 800));
      CompletableFuture<CommandOutput> first = single
          .run(request(Duration.ofSeconds(5), "sleep", marker), HOST, CAP).toCompletableFuture();
      CompletableFuture<CommandOutput> queued = single
          .run(request(Duration.ofMillis(200), "echo", "late"), HOST, CAP).toCompletableFuture();

      CommandOutput output = queued.get(3, TimeUnit.SECONDS);

      assertThat(output.outcome()).isEqualTo(Outcome.TIMED_OUT);
      assertThat(output.stdout()).isEmpty();
      assertThat(first.isDone()).isFalse();
    }
  }

  @Test
  void closeFailsRunningCommand() throws Exception {
    String marker = "26.4" + (100 + (int) (Math.random() * 800));
    CompletableFuture<CommandOutput> running = start(Duration.ofSeconds(60), CAP, "sleep", marker);
    Poll.until(() -> Poll.processRunning("sleep " + marker), Duration.ofSeconds(5), "sleep " + marker + " to start");

    runner.close();

    CommandOutput output = running.get(5, TimeUnit.SECONDS);
    assertThat(output.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(output.error()).contains("runner closed");
    Poll.until(() -> !Poll.processRunning("sleep " + marker), Duration.ofSeconds(5), "sleep " + marker + " to be killed");
  }

  @Test
  void closedRunnerFailsNewCommand() throws Exception {
    runner.close();

    CommandOutput output = run("echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(output.error()).isEqualTo("runner is closed");
  }
}
