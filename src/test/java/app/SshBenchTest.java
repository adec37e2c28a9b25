package app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.HostEntry;
import fleet.TestKeys;
import fleet.TestKeys.ClientKey;
import fleet.TestSshServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH benchmark's harness at a small scale, without OpenSSH or ansible: fleet-sre runs against
 * the in-process test SSH server, and a shell script replaces {@code ansible}, printing the
 * one-line output ansible prints. Only correctness is checked here, never speed; the real run is
 * {@code ./fleet-sre bench ssh}.
 */
class SshBenchTest {

  private static final String USER = System.getProperty("user.name");

  @TempDir
  Path directory;

  /** Writes a stand-in for ansible that reports {@code status} for every inventory host and logs its arguments. */
  private Path fakeAnsible(String status) throws Exception {
    Path script = directory.resolve("fake-ansible");
    Files.writeString(script, """
        #!/bin/sh
        if [ "$1" = "--version" ]; then echo "ansible [core fake]"; exit 0; fi
        echo "$@" >> "%s"
        inventory=$(sed -n 's/^inventory = //p' "$ANSIBLE_CONFIG")
        grep ' ansible_host=' "$inventory" | while read -r name rest; do
          echo "$name | %s | (stdout) ok"
        done
        """.formatted(directory.resolve("ansible-arguments"), status), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private static SshBench.Parameters parameters(String command, Path ansible) {
    return new SshBench.Parameters(3, 0, 2, 1, 2, command, 50, null, 10_000, true, Duration.ofSeconds(5),
        ansible.toString(), Path.of("bench/ssh"), null, 100, 10, USER, Duration.ofSeconds(20), Duration.ofMinutes(1));
  }

  private ObjectNode compare(String command, String ansibleStatus) throws Exception {
    ClientKey key = TestKeys.writeClientKey(directory, "id_ecdsa");
    Path work = Files.createDirectory(directory.resolve("work"));
    try (TestSshServer server = TestSshServer.start(List.of(key.keyPair().getPublic()), work)) {
      Path knownHosts = server.writeKnownHosts(directory.resolve("known_hosts"));
      List<HostEntry> hosts = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        hosts.add(new HostEntry("smoke-" + i, "ssh", "127.0.0.1", server.port(), USER, key.privateKeyFile(), knownHosts));
      }
      return SshBench.compare(parameters(command, fakeAnsible(ansibleStatus)), hosts, directory);
    }
  }

  @Test
  void compareReportsBothSides() throws Exception {
    ObjectNode figures = compare("echo ok", "CHANGED | rc=0");

    assertThat(figures.get("bench").asText()).isEqualTo("ssh");
    assertThat(figures.get("fleetSreFailed").asLong()).isZero();
    assertThat(figures.get("ansibleFailed").asLong()).isZero();
    assertThat(figures.get("fleetSreCommandsPerSecond").asDouble()).isGreaterThan(0);
    assertThat(figures.get("ansibleCommandsPerSecond").asDouble()).isGreaterThan(0);
    assertThat(figures.get("ratioVsAnsible").asDouble()).isGreaterThan(0);
    assertThat(figures.get("steadyRatioVsAnsible").asDouble()).isGreaterThan(0);
    assertThat(figures.get("connectionSetup").asText()).contains("cold", "steady");
    assertThat(figures.get("ansible").get("version").asText()).isEqualTo("ansible [core fake]");

    JsonNode passes = figures.get("passes");
    assertThat(passes).hasSize(8); // 2 rounds x 2 sides x (cold, steady)
    for (JsonNode pass : passes) {
      assertThat(pass.get("commands").asLong()).as(pass.toString()).isEqualTo(6); // 3 hosts x 2 per host
      assertThat(pass.get("failed").asLong()).as(pass.toString()).isZero();
    }
    assertThat(figures.get("warmupPasses")).hasSize(2);
  }

  @Test
  void ansibleGetsCommandAndForks() throws Exception {
    compare("echo ok", "CHANGED | rc=0");

    List<String> invocations = Files.readAllLines(directory.resolve("ansible-arguments"));
    // one warm-up invocation, then 2 commands per host x (cold, steady) x 2 rounds
    assertThat(invocations).hasSize(1 + 8);
    assertThat(invocations).allMatch(line -> line.equals("all -m command -a echo ok --forks 50 -o"));
  }

  @Test
  void failedCommandsAreCounted() throws Exception {
    ObjectNode figures = compare("false", "FAILED | rc=1");

    // 3 hosts x 2 per host x 2 modes x 2 rounds
    assertThat(figures.get("fleetSreFailed").asLong()).isEqualTo(24);
    assertThat(figures.get("ansibleFailed").asLong()).isEqualTo(24);
    assertThat(figures.get("passes").get(0).get("firstError").asText()).contains("exit code 1");
  }

  @Test
  void prepareScriptRejectsInvalidHosts() throws Exception {
    Process process = new ProcessBuilder("bench/ssh/prepare.sh", directory.toString(), "0", "22022", "100", "10", "fleet-sre-bench")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isEqualTo(2);
    assertThat(output).contains("HOSTS must be between 1 and 25000, got 0");
  }

  @Test
  void stopScriptLeavesOtherProcessesAlone() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      Files.writeString(directory.resolve("sshd-1.pid"), Long.toString(sleeper.pid()));
      Process stop = new ProcessBuilder("bench/ssh/stop.sh", directory.toString()).redirectErrorStream(true).start();
      String output = new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(stop.exitValue()).as(output).isZero();
      assertThat(output).contains("is not this benchmark's sshd; left alone");
      assertThat(sleeper.isAlive()).isTrue();
    } finally {
      sleeper.destroyForcibly();
    }
  }
}
