package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.CommandOutput.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunnersTest {

  /** Records the host of each request it gets and returns a fixed output. */
  private static final class RecordingRunner implements CommandRunner {
    final List<String> hosts = new ArrayList<>();
    boolean closed;
    RuntimeException closeFailure;

    @Override
    public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
      hosts.add(host.name());
      return CompletableFuture.completedFuture(CommandOutput.exited(0, "from stub\n", "", false, Duration.ZERO));
    }

    @Override
    public void close() {
      closed = true;
      if (closeFailure != null) {
        throw closeFailure;
      }
    }
  }

  private final LocalRunner local = new LocalRunner(1);
  private final RecordingRunner ssh = new RecordingRunner();
  private final Runners runners = new Runners(local, ssh);

  @AfterEach
  void closeRunners() {
    runners.close();
  }

  private static CommandRequest request(String host, String... argv) {
    return new CommandRequest("cmd-1", "incident-runners-test", host, List.of(argv), "raw", null, "test", Duration.ofSeconds(10));
  }

  private static HostEntry sshHost(String name) {
    return new HostEntry(name, "ssh", "127.0.0.1", 22, "diag", Path.of("/keys/id"), Path.of("/keys/known_hosts"));
  }

  @Test
  void localHostRunsLocally() throws Exception {
    CommandOutput output = runners.run(request("box", "echo", "here"), HostEntry.local("box"), 1024)
        .toCompletableFuture().get(15, TimeUnit.SECONDS);

    assertThat(output.stdout()).isEqualTo("here\n");
    assertThat(ssh.hosts).isEmpty();
  }

  @Test
  void sshHostGoesToSshRunner() throws Exception {
    CommandOutput output = runners.run(request("web-1", "nproc"), sshHost("web-1"), 1024)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(output.stdout()).isEqualTo("from stub\n");
    assertThat(ssh.hosts).containsExactly("web-1");
  }

  @Test
  void invalidRunnerFails() throws Exception {
    HostEntry host = new HostEntry("web-3", "telnet", "127.0.0.1", 23, "diag", null, null);

    CommandOutput output = runners.run(request("web-3", "nproc"), host, 1024).toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(output.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(output.error()).contains("invalid runner [telnet]");
    assertThat(ssh.hosts).isEmpty();
  }

  @Test
  void closeClosesBothEvenIfOneFails() throws Exception {
    RecordingRunner failingLocal = new RecordingRunner();
    failingLocal.closeFailure = new IllegalStateException("close failed");
    RecordingRunner otherSsh = new RecordingRunner();

    new Runners(failingLocal, otherSsh).close();

    assertThat(failingLocal.closed).isTrue();
    assertThat(otherSsh.closed).isTrue();
  }

  @Test
  void closeClosesLocalRunner() throws Exception {
    runners.close();

    CommandOutput output = runners.run(request("box", "echo", "late"), HostEntry.local("box"), 1024)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(output.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(output.error()).isEqualTo("runner is closed");
    assertThat(ssh.closed).isTrue();
  }
}
