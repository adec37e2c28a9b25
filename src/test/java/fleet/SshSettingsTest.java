package fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SshSettingsTest {

  private static Config sshBlock(String overrides) {
    return ConfigFactory.parseString("fleet-sre.ssh {\n" + overrides + "\n}")
        .withFallback(ConfigFactory.parseResources("ssh.conf"))
        .resolve()
        .getConfig("fleet-sre.ssh");
  }

  @Test
  void readsDefaultsFromSshConf() {
    SshSettings settings = SshSettings.fromConfig(sshBlock(""));

    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.authTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void overridesTakeUnits() {
    SshSettings settings = SshSettings.fromConfig(sshBlock("connect-timeout = 1500ms\nheartbeat-interval = 0s\nidle-timeout = 1h"));

    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(settings.heartbeatInterval()).isZero();
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void rejectsInvalidDurations() {
    assertThatThrownBy(() -> SshSettings.fromConfig(sshBlock("connect-timeout = 0s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connect-timeout");
    assertThatThrownBy(() -> SshSettings.fromConfig(sshBlock("heartbeat-interval = -1s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heartbeat-interval");
  }
}
