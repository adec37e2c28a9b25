package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.CommandOutput.Outcome;
import fleet.TestKeys.ClientKey;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshRunnerTest {

  private static final SshSettings SETTINGS =
      new SshSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(1));
  private static final int CAP = 64 * 1024;
  private static final String USER = System.getProperty("user.name");

  @TempDir
  Path tempDir;

  private ClientKey clientKey;
  private TestSshServer server;
  private SshRunner runner;

  @BeforeEach
  void startServerAndRunner() throws Exception {
    clientKey = TestKeys.writeClientKey(tempDir, "id_ecdsa");
    Path workDir = Files.createDirectory(tempDir.resolve("work"));
    server = TestSshServer.start(List.of(clientKey.keyPair().getPublic()), workDir);
    runner = new SshRunner(SETTINGS, 2);
  }

  @AfterEach
  void stopServerAndRunner() throws Exception {
    runner.close();
    server.close();
  }

  private HostEntry host(Path identityFile, Path knownHosts) {
    return new HostEntry("web-1", "ssh", "127.0.0.1", server.port(), USER, identityFile, knownHosts);
  }

  private HostEntry trustedHost() throws Exception {
    return host(clientKey.privateKeyFile(), server.writeKnownHosts(tempDir.resolve("known_hosts")));
  }

  private static CommandRequest request(Duration timeout, String... argv) {
    return new CommandRequest(
        UUID.randomUUID().toString(), "incident-ssh-test", "web-1", List.of(argv), "raw", null, "test", timeout);
  }

  private CompletableFuture<CommandOutput> start(HostEntry host, Duration timeout, int cap, String... argv) {
    return runner.run(request(timeout, argv), host, cap).toCompletableFuture();
  }

  private CommandOutput run(HostEntry host, String... argv) throws Exception {
    return start(host, Duration.ofSeconds(10), CAP, argv).get(15, TimeUnit.SECONDS);
  }

  @Test
  void channelsPerSessionStayUnderCap() throws Exception {
    runner.close();
    runner = new SshRunner(new SshSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ZERO,
        Duration.ofMinutes(1), 2, 0, 100), 6);
    HostEntry host = trustedHost();

    List<CompletableFuture<CommandOutput>> running = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      running.add(start(host, Duration.ofSeconds(20), CAP, "sleep", "0.3"));
    }
    for (CompletableFuture<CommandOutput> command : running) {
      assertThat(command.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }

    assertThat(server.maxChannelsOpen()).isBetween(1, 2);
    assertThat(server.sessionsOpened()).isEqualTo(1);
  }

  @Test
  void leastRecentlyUsedSessionClosedOverCap() throws Exception {
    runner.close();
    runner = new SshRunner(new SshSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ZERO,
        Duration.ofMinutes(1), 8, 0, 1), 2);
    Path knownHosts = server.writeKnownHosts(tempDir.resolve("known_hosts"));
    HostEntry first = new HostEntry("web-1", "ssh", "127.0.0.1", server.port(), "first", clientKey.privateKeyFile(), knownHosts);
    HostEntry second = new HostEntry("web-2", "ssh", "127.0.0.1", server.port(), "second", clientKey.privateKeyFile(), knownHosts);

    assertThat(run(first, "true").exitCode()).isZero();
    assertThat(run(second, "true").exitCode()).isZero();
    Poll.until(() -> server.activeSessions() == 1, Duration.ofSeconds(10), "the older session to be closed");
    assertThat(run(first, "true").exitCode()).isZero();

    assertThat(server.sessionsOpened()).isEqualTo(3);
  }

  @Test
  void ed25519ClientKeyAuthenticates() throws Exception {
    java.security.KeyPair pair = new net.i2p.crypto.eddsa.KeyPairGenerator().generateKeyPair();
    Path keyFile = tempDir.resolve("id_ed25519");
    try (var out = Files.newOutputStream(keyFile)) {
      org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter.INSTANCE
          .writePrivateKey(pair, "ed25519 test key", null, out);
    }
    server.close();
    server = TestSshServer.start(List.of(pair.getPublic()), Files.createDirectories(tempDir.resolve("ed-work")));
    HostEntry host = host(keyFile, server.writeKnownHosts(tempDir.resolve("known_hosts_ed")));

    CommandOutput output = run(host, "echo", "ed25519");

    assertThat(output.error()).isEmpty();
    assertThat(output.stdout()).isEqualTo("ed25519\n");
  }

  @Test
  void runsCommandWithOutputAndExitCode() throws Exception {
    CommandOutput output = run(trustedHost(), "sh", "-c", "echo out; echo err >&2; exit 7");

    assertThat(output.error()).isEmpty();
    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isEqualTo(7);
    assertThat(output.stdout()).isEqualTo("out\n");
    assertThat(output.stderr()).isEqualTo("err\n");
    assertThat(output.truncated()).isFalse();
  }

  @Test
  void reusesSessionForSequentialCommands() throws Exception {
    HostEntry host = trustedHost();

    for (int i = 1; i <= 3; i++) {
      CommandOutput output = run(host, "echo", "command " + i);
      assertThat(output.stdout()).isEqualTo("command " + i + "\n");
    }

    assertThat(server.sessionsOpened()).isEqualTo(1);
    assertThat(server.channelsOpened()).isEqualTo(3);
    Poll.until(() -> server.channelsClosed() == 3, Duration.ofSeconds(5), "3 channels closed on the server");
  }

  @Test
  void concurrentFirstCommandsShareOneSession() throws Exception {
    HostEntry host = trustedHost();

    List<CompletableFuture<CommandOutput>> outputs = List.of(
        start(host, Duration.ofSeconds(10), CAP, "echo", "a"),
        start(host, Duration.ofSeconds(10), CAP, "echo", "b"),
        start(host, Duration.ofSeconds(10), CAP, "echo", "c"));

    for (CompletableFuture<CommandOutput> output : outputs) {
      assertThat(output.get(15, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.EXITED);
    }
    assertThat(server.sessionsOpened()).isEqualTo(1);
    assertThat(server.channelsOpened()).isEqualTo(3);
  }

  @Test
  void reconnectsAfterServerClosedSession() throws Exception {
    HostEntry host = trustedHost();
    assertThat(run(host, "echo", "first").outcome()).isEqualTo(Outcome.EXITED);

    server.closeSessions();
    Poll.until(() -> server.activeSessions() == 0, Duration.ofSeconds(5), "server sessions closed");
    CommandOutput output = run(host, "echo", "second");

    assertThat(output.error()).isEmpty();
    assertThat(output.stdout()).isEqualTo("second\n");
    assertThat(server.sessionsOpened()).isEqualTo(2);
  }

  @Test
  void retriesWhenSessionDropsBeforeChannelOpens() throws Exception {
    HostEntry host = trustedHost();
    assertThat(run(host, "echo", "first").outcome()).isEqualTo(Outcome.EXITED);

    server.dropSessionOnNextChannel();
    CommandOutput output = run(host, "echo", "second");

    assertThat(output.error()).isEmpty();
    assertThat(output.stdout()).isEqualTo("second\n");
    assertThat(server.sessionsOpened()).isEqualTo(2);
    assertThat(server.channelsOpened()).isEqualTo(2);
  }

  @Test
  void mismatchedHostKeyRejected() throws Exception {
    Path knownHosts = TestSshServer.writeKnownHosts(tempDir.resolve("known_hosts"), server.port(), TestKeys.generate().getPublic());

    CommandOutput output = run(host(clientKey.privateKeyFile(), knownHosts), "echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.HOST_KEY_REJECTED);
    assertThat(output.error()).contains("does not match").contains(knownHosts.toString());
    assertThat(server.channelsOpened()).isZero();
  }

  @Test
  void unlistedHostKeyRejected() throws Exception {
    // The file lists the server's key, but for another port, so this host is unknown.
    Path knownHosts = TestSshServer.writeKnownHosts(tempDir.resolve("known_hosts"), server.port() + 1, server.hostPublicKey());

    CommandOutput output = run(host(clientKey.privateKeyFile(), knownHosts), "echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.HOST_KEY_REJECTED);
    assertThat(output.error()).contains("is not listed");
    assertThat(server.channelsOpened()).isZero();
  }

  @Test
  void missingKnownHostsFileRejectsHost() throws Exception {
    CommandOutput output = run(host(clientKey.privateKeyFile(), tempDir.resolve("no-such-known-hosts")), "echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.HOST_KEY_REJECTED);
  }

  @Test
  void acceptsAnyKeyWithoutKnownHosts() throws Exception {
    CommandOutput output = run(host(clientKey.privateKeyFile(), null), "echo", "trusted blindly");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.stdout()).isEqualTo("trusted blindly\n");
  }

  @Test
  void wrongClientKeyFailsAuthentication() throws Exception {
    ClientKey otherKey = TestKeys.writeClientKey(tempDir, "id_other");
    Path knownHosts = server.writeKnownHosts(tempDir.resolve("known_hosts"));

    CommandOutput output = run(host(otherKey.privateKeyFile(), knownHosts), "echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.AUTH_FAILED);
    assertThat(output.error()).contains(otherKey.privateKeyFile().toString());
    assertThat(server.channelsOpened()).isZero();
  }

  @Test
  void unreadableIdentityFailsAuthentication() throws Exception {
    Path notAKey = Files.writeString(tempDir.resolve("not-a-key"), "this is not a private key\n");
    Path knownHosts = server.writeKnownHosts(tempDir.resolve("known_hosts"));

    CommandOutput output = run(host(notAKey, knownHosts), "echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.AUTH_FAILED);
    assertThat(output.error()).contains(notAKey.toString());
    assertThat(output.error()).doesNotContain("this is not a private key");
  }

  @Test
  void closedPortIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    HostEntry host = new HostEntry("web-2", "ssh", "127.0.0.1", closedPort, USER, clientKey.privateKeyFile(), null);
    long startNanos = System.nanoTime();

    CommandOutput output = run(host, "echo", "never");

    assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(2));
    assertThat(output.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(output.error()).contains("127.0.0.1:" + closedPort);
  }

  @Test
  void timeoutClosesChannel() throws Exception {
    String marker = "29.3" + (100 + (int) (Math.random() * 800));
    long startNanos = System.nanoTime();

    CommandOutput output = start(trustedHost(), Duration.ofSeconds(1), CAP, "sleep", marker).get(10, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(5));
    assertThat(output.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(output.error()).contains("timed out after 1000 ms");
    assertThat(server.channelsOpened()).isEqualTo(1);
    Poll.until(() -> server.channelsClosed() == 1, Duration.ofSeconds(5), "the channel closed on the server");
    Poll.until(() -> !Poll.processRunning("sleep " + marker), Duration.ofSeconds(5), "sleep " + marker + " to end");
  }

  @Test
  void sessionSurvivesTimedOutCommand() throws Exception {
    HostEntry host = trustedHost();
    start(host, Duration.ofMillis(500), CAP, "sleep", "10").get(10, TimeUnit.SECONDS);

    CommandOutput output = run(host, "echo", "after timeout");

    assertThat(output.stdout()).isEqualTo("after timeout\n");
    assertThat(server.sessionsOpened()).isEqualTo(1);
  }

  @Test
  void hostileArgumentPrintsLiterally() throws Exception {
    Path marker = tempDir.resolve("pwned-" + UUID.randomUUID());
    String hostile = "$(touch " + marker + ")";

    CommandOutput output = run(trustedHost(), "echo", hostile, "`touch " + marker + "`", "; touch " + marker);

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.stdout()).isEqualTo(hostile + " `touch " + marker + "` ; touch " + marker + "\n");
    assertThat(marker).doesNotExist();
  }

  @Test
  void nulInArgvFails() throws Exception {
    CommandOutput output = run(trustedHost(), "echo", "a\u0000b");

    assertThat(output.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(output.error()).contains("NUL");
    assertThat(server.sessionsOpened()).isZero();
  }

  @Test
  void capsLargeOutput() throws Exception {
    CommandOutput output = start(trustedHost(), Duration.ofSeconds(10), 4096, "seq", "1", "200000").get(15, TimeUnit.SECONDS);

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.exitCode()).isZero();
    assertThat(output.truncated()).isTrue();
    assertThat(output.stdout()).hasSize(4096);
    assertThat(output.stdout()).startsWith("1\n2\n");
  }

  @Test
  void stdinIsClosed() throws Exception {
    CommandOutput output = run(trustedHost(), "cat");

    assertThat(output.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(output.stdout()).isEmpty();
  }

  @Test
  void closedRunnerFailsCommand() throws Exception {
    HostEntry host = trustedHost();
    runner.close();

    CommandOutput output = run(host, "echo", "never");

    assertThat(output.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(output.error()).isEqualTo("runner is closed");
  }
}
