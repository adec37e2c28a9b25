package app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConfigFileTest {

  @Test
  void bareFileNameKeepsRelativeInclude() throws Exception {
    // A name without a folder, as `--config main.conf` gives it, resolved against the working directory.
    String suffix = UUID.randomUUID().toString();
    Path included = Path.of("config-file-test-inc-" + suffix + ".conf");
    Path main = Path.of("config-file-test-" + suffix + ".conf");
    try {
      Files.writeString(included, "fleet-sre.incident.max-steps = 3\n");
      Files.writeString(main, "include \"" + included.getFileName() + "\"\n");

      int maxSteps = Main.loadConfig(new File(main.toString())).getInt("fleet-sre.incident.max-steps");

      assertThat(maxSteps).isEqualTo(3);
    } finally {
      Files.deleteIfExists(main);
      Files.deleteIfExists(included);
    }
  }
}
