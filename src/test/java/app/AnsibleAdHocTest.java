package app;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.HostEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnsibleAdHocTest {

  private static final List<String> HOSTS = List.of("127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4");

  @Test
  void tallyCountsOnlyExitCodeZero() {
    String output = """
        127.0.1.1 | CHANGED | rc=0 | (stdout)  23:10:01 up 7 min,  0 user,  load average: 1.00, 0.50, 0.20
        127.0.1.2 | FAILED | rc=1 | (stdout)  (stderr) df: /nope: No such file or directory
        127.0.1.3 | UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh", "unreachable": true}
        127.0.1.4 | UNREACHABLE!: Data could not be sent to remote host "127.0.1.4". Make sure this host can be reached
        [WARNING]: a warning line that names no host
        127.0.9.9 | CHANGED | rc=0 | (stdout) a host that is not in the inventory
        """;

    AnsibleAdHoc.Tally tally = AnsibleAdHoc.tally(output, HOSTS);

    assertThat(tally.succeeded()).containsExactly("127.0.1.1");
    assertThat(tally.failures()).hasSize(3);
    assertThat(tally.failures().get(0)).startsWith("127.0.1.2 | FAILED | rc=1");
    assertThat(tally.failures().get(1)).startsWith("127.0.1.3 | UNREACHABLE! =>");
    assertThat(tally.failures().get(2)).startsWith("127.0.1.4 | UNREACHABLE!: Data could not be sent");
  }

  @Test
  void tallyOfEmptyOutputHasNoSuccess() {
    AnsibleAdHoc.Tally tally = AnsibleAdHoc.tally("", HOSTS);

    assertThat(tally.succeeded()).isEmpty();
    assertThat(tally.failures()).isEmpty();
  }

  @Test
  void configSetsForksPipeliningAndControlPath() {
    HostEntry host = new HostEntry("127.0.1.1", "ssh", "127.0.1.1", 22022, "bench", Path.of("/keys/id_ecdsa"),
        Path.of("/keys/known_hosts"));
    AnsibleAdHoc.Settings settings = new AnsibleAdHoc.Settings("ansible", List.of(host), 64, true,
        Duration.ofSeconds(60), "/usr/bin/python3", Duration.ofSeconds(10));

    String config = AnsibleAdHoc.config(settings, Path.of("/work/inventory.ini"), Path.of("/work/local-tmp"));

    assertThat(config).contains("forks = 64\n");
    assertThat(config).contains("remote_user = bench\n");
    assertThat(config).contains("private_key_file = /keys/id_ecdsa\n");
    assertThat(config).contains("pipelining = True\n");
    assertThat(config).contains("interpreter_python = /usr/bin/python3\n");
    assertThat(config).contains("control_path = %(directory)s/%%C\n");
    assertThat(config).contains("-o ControlMaster=auto -o ControlPersist=60s");
    assertThat(config).contains("-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/keys/known_hosts");
  }
}
