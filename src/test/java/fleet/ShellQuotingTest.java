package fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellQuotingTest {

  private static final List<String> HOSTILE = List.of(
      "'; rm -rf / #",
      "$(id)",
      "`id`",
      "${HOME}",
      "$HOME",
      "a\nb",
      "line\n",
      "",
      "'",
      "''",
      "it's",
      "a'b'c",
      "\"double\"",
      "back\\slash\\",
      "\\'",
      "*",
      "~",
      "~root",
      "!!",
      "a && touch created-by-and",
      "a | tee created-by-pipe",
      ">created-by-redirect",
      "<input",
      "(subshell)",
      "{a,b}",
      "#comment",
      " leading and trailing spaces ",
      "tab\there",
      "-n",
      "--",
      "%s%d%n",
      "héllo ✓ кириллица");

  @Test
  void joinQuotesEachArgument() {
    assertThat(ShellQuoting.join(List.of("df", "-P", "/var/log"))).isEqualTo("'df' '-P' '/var/log'");
    assertThat(ShellQuoting.join(List.of("echo", "it's"))).isEqualTo("'echo' 'it'\\''s'");
    assertThat(ShellQuoting.join(List.of("echo", ""))).isEqualTo("'echo' ''");
  }

  @Test
  void joinRejectsNulAndEmptyArgv() {
    assertThatThrownBy(() -> ShellQuoting.join(List.of("echo", "a\u0000b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("position 1");
    assertThatThrownBy(() -> ShellQuoting.join(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Runs printf through a real /bin/sh: every argument must come back byte for byte, and nothing may run. */
  @Test
  void hostileArgumentsRoundTripThroughSh(@TempDir Path workDir) throws Exception {
    List<String> arguments = new ArrayList<>(HOSTILE);
    String script = "printf '%s\\n' " + ShellQuoting.join(arguments);

    Process process = new ProcessBuilder("/bin/sh", "-c", script)
        .directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();

    StringBuilder expected = new StringBuilder();
    for (String argument : arguments) {
      expected.append(argument).append('\n');
    }
    assertThat(stderr).isEmpty();
    assertThat(process.exitValue()).isZero();
    assertThat(stdout).isEqualTo(expected.toString());
    assertThat(filesIn(workDir)).isEmpty();
  }

  /** Each hostile string alone, as the program's only argument, so one bad case cannot hide behind another. */
  @Test
  void eachHostileArgumentRoundTrips(@TempDir Path workDir) throws Exception {
    for (String argument : HOSTILE) {
      String script = "printf '%s' " + ShellQuoting.join(List.of(argument));
      Process process = new ProcessBuilder("/bin/sh", "-c", script).directory(workDir.toFile()).start();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();

      assertThat(stdout).as("argument [%s]", argument).isEqualTo(argument);
    }
    assertThat(filesIn(workDir)).isEmpty();
  }

  private static List<Path> filesIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.toList();
    }
  }
}
