package agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import fleet.CommandOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Test fixtures: recorded command output under src/test/resources/agent and the default profile. */
final class Fixtures {

  /** The reference time of the fixtures: 2024-12-04T12:00:00Z. */
  static final Instant NOW = Instant.parse("2024-12-04T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private Fixtures() {}

  static String read(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/agent/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("fixture not found: /agent/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CommandOutput stdout(String fixture) {
    return CommandOutput.exited(0, read(fixture), "", false, Duration.ofMillis(40));
  }

  static CommandOutput exited(int exitCode, String stdout, String stderr) {
    return CommandOutput.exited(exitCode, stdout, stderr, false, Duration.ofMillis(40));
  }

  /** The {@code fleet-sre} block as shipped: stack profile, analyzer rules and playbooks. */
  static Config fleetSre() {
    return ConfigFactory.parseResources("stack-profile.conf")
        .withFallback(ConfigFactory.parseResources("analyzers.conf"))
        .withFallback(ConfigFactory.parseResources("playbooks.conf"))
        .resolve()
        .getConfig("fleet-sre");
  }

  static StackProfile profile() {
    return StackProfile.fromConfig(fleetSre().getConfig("stack-profile"));
  }

  static Analyzers analyzers() {
    return Analyzers.standard(profile(), CLOCK);
  }
}
