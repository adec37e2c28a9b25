package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The host-side sudoers rules and the engine's command policy must agree: every command sudo
 * allows is one the policy allows after {@code sudo -n}, and none of them could write, spawn a
 * shell or take arguments of the caller's choosing.
 */
class SudoersPolicyTest {

  private static final Path SUDOERS = Path.of("deploy/host-setup/fleet-sre.sudoers");

  private static final Set<String> NEVER = Set.of("sh", "bash", "dash", "zsh", "su", "sudo", "env", "vi", "vim",
      "nano", "less", "more", "tee", "cp", "mv", "rm", "chmod", "chown", "dd", "find", "tar", "python3", "perl");

  /** The commands of every Cmnd_Alias, one argv each, continuation lines joined and escapes undone. */
  static List<List<String>> sudoCommands() throws IOException {
    String text = String.join("\n", Files.readAllLines(SUDOERS).stream()
        .filter(line -> !line.stripLeading().startsWith("#"))
        .toList())
        .replace("\\\n", " ");
    List<List<String>> commands = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith("Cmnd_Alias")) {
        continue;
      }
      String list = line.substring(line.indexOf('=') + 1);
      for (String command : list.split(",")) {
        commands.add(Arrays.asList(command.trim().split("\\s+")));
      }
    }
    return commands;
  }

  @Test
  void sudoersListsCommands() throws IOException {
    assertThat(sudoCommands()).hasSizeGreaterThanOrEqualTo(7);
  }

  @Test
  void policyAllowsEverySudoCommand() throws IOException {
    CommandPolicy policy = CommandPolicy.fromConfig(ConfigFactory.parseString("allow-sudo = true")
        .withFallback(ConfigFactory.parseResources("policy.conf").resolve().getConfig("fleet-sre.command-policy")));

    for (List<String> command : sudoCommands()) {
      List<String> argv = new ArrayList<>(List.of("sudo", "-n", Path.of(command.get(0)).getFileName().toString()));
      argv.addAll(command.subList(1, command.size()));
      CommandPolicy.Verdict verdict = policy.check(argv);
      assertThat(verdict.allowed()).as("policy verdict on %s: %s", argv, verdict.reason()).isTrue();
    }
  }

  @Test
  void sudoCommandsAreExactAndHarmless() throws IOException {
    for (List<String> command : sudoCommands()) {
      assertThat(command.get(0)).as("absolute program path in %s", command).startsWith("/");
      assertThat(NEVER).as("program of %s", command).doesNotContain(Path.of(command.get(0)).getFileName().toString());
      for (String argument : command) {
        assertThat(argument).as("argument of %s", command).doesNotContain("*", "?", "[", "..");
      }
    }
  }

  @Test
  void everyDefaultConfigTestHasSudoRule() throws IOException {
    List<String> sudoPrograms = sudoCommands().stream()
        .map(command -> Path.of(command.get(0)).getFileName() + " " + String.join(" ", command.subList(1, command.size())))
        .toList();
    var tests = ConfigFactory.parseResources("stack-profile.conf").resolve()
        .getConfig("fleet-sre.stack-profile.config-tests");

    for (String service : tests.root().keySet()) {
      assertThat(sudoPrograms).as("sudo rule for the %s configuration test", service)
          .contains(String.join(" ", tests.getStringList(service)));
    }
  }

  @Test
  void hostileSudoVariantsAreRejected() {
    CommandPolicy policy = CommandPolicy.fromConfig(ConfigFactory.parseString("allow-sudo = true")
        .withFallback(ConfigFactory.parseResources("policy.conf").resolve().getConfig("fleet-sre.command-policy")));

    for (List<String> hostile : List.of(
        List.of("sudo", "-n", "-u", "root", "nginx", "-t"),
        List.of("sudo", "-s"),
        List.of("sudo", "-n", "sh", "-c", "nginx -t"),
        List.of("sudo", "-n", "nginx", "-s", "stop"),
        List.of("sudo", "-n", "du", "-x", "-k", "-d", "3", "/var/lib/mysql/../../root"),
        List.of("sudo", "nginx", "-t"))) {
      assertThat(policy.check(hostile).allowed()).as("%s", hostile).isFalse();
    }
  }
}
