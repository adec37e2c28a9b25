package fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InventoryTest {

  private static Inventory parse(String inventory) {
    return Inventory.fromConfig(ConfigFactory.parseString(inventory).resolve());
  }

  @Test
  void listedHostHasItsSettings() {
    Inventory inventory = parse("""
        hosts {
          "web-1.prod" {
            runner = ssh
            address = "127.0.0.1"
            port = 2222
            user = diag
            identity-file = "/keys/id_ecdsa"
            known-hosts-file = "/keys/known_hosts"
          }
        }
        """);

    HostEntry host = inventory.lookup("web-1.prod").orElseThrow();

    assertThat(host.name()).isEqualTo("web-1.prod");
    assertThat(host.runner()).isEqualTo("ssh");
    assertThat(host.address()).isEqualTo("127.0.0.1");
    assertThat(host.port()).isEqualTo(2222);
    assertThat(host.user()).isEqualTo("diag");
    assertThat(host.identityFile()).isEqualTo(Path.of("/keys/id_ecdsa"));
    assertThat(host.knownHostsFile()).isEqualTo(Path.of("/keys/known_hosts"));
    assertThat(inventory.hosts()).containsOnlyKeys("web-1.prod");
  }

  @Test
  void listedHostTakesDefaults() {
    Inventory inventory = parse("hosts { box { runner = local } }");

    HostEntry host = inventory.lookup("box").orElseThrow();

    assertThat(host.address()).isEqualTo("box");
    assertThat(host.port()).isEqualTo(22);
    assertThat(host.user()).isEqualTo(System.getProperty("user.name"));
    assertThat(host.identityFile()).isNull();
  }

  @Test
  void unlistedHostUsesDefaultEntry() {
    Inventory inventory = parse("""
        hosts {}
        default {
          runner = ssh
          port = 2200
          user = diag
          identity-file = "/keys/id_ecdsa"
          known-hosts-file = "/keys/known_hosts"
        }
        """);

    HostEntry host = inventory.lookup("web-9").orElseThrow();

    assertThat(host.name()).isEqualTo("web-9");
    assertThat(host.address()).isEqualTo("web-9");
    assertThat(host.port()).isEqualTo(2200);
    assertThat(host.user()).isEqualTo("diag");
    assertThat(host.knownHostsFile()).isEqualTo(Path.of("/keys/known_hosts"));
  }

  @Test
  void unlistedHostWithoutDefaultIsUnknown() {
    Inventory inventory = parse("hosts { box { runner = local } }");

    assertThat(inventory.lookup("web-9")).isEqualTo(Optional.empty());
  }

  @Test
  void missingKnownHostsRejected() {
    assertThatThrownBy(() -> parse("hosts { web-1 { runner = ssh, identity-file = \"/keys/id\" } }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[web-1]")
        .hasMessageContaining("known-hosts-file is missing");
  }

  @Test
  void strictCheckingOffDropsKnownHosts() {
    Inventory inventory = parse("""
        hosts {
          lab-1 { runner = ssh, identity-file = "/keys/id", strict-host-key-checking = off }
          lab-2 { runner = ssh, identity-file = "/keys/id", strict-host-key-checking = off, known-hosts-file = "/keys/kh" }
        }
        """);

    assertThat(inventory.lookup("lab-1").orElseThrow().knownHostsFile()).isNull();
    assertThat(inventory.lookup("lab-2").orElseThrow().knownHostsFile()).isNull();
  }

  @Test
  void missingIdentityFileRejected() {
    assertThatThrownBy(() -> parse("hosts { web-1 { runner = ssh, known-hosts-file = \"/keys/kh\" } }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identity-file is missing");
  }

  @Test
  void invalidRunnerRejected() {
    assertThatThrownBy(() -> parse("hosts { web-1 { runner = telnet } }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[web-1]")
        .hasMessageContaining("invalid runner [telnet]");
  }

  @Test
  void invalidDefaultRunnerRejected() {
    assertThatThrownBy(() -> parse("hosts {}\ndefault { runner = rsh }"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid runner [rsh]");
  }
}
