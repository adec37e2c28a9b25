package agent;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultAnalysisTest {

  private static final String KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n".repeat(25);

  private static CommandResult analyze(String stdout, int cap) {
    CommandRequest request = new CommandRequest("c1", "i1", "web-01", List.of("tail", "-n", "200", "/var/log/x"),
        "raw", null, "test", Duration.ofSeconds(5));
    return new ResultAnalysis(Analyzers.standard(), cap)
        .analyze(request, CommandOutput.exited(0, stdout, "", false, Duration.ofMillis(3)));
  }

  @Test
  void keyAcrossTheCapIsRedacted() {
    String output = "x".repeat(900) + "\n-----BEGIN RSA PRIVATE KEY-----\n" + KEY_BODY + "-----END RSA PRIVATE KEY-----\n"
        + "y".repeat(50_000);

    CommandResult result = analyze(output, 1000);

    assertThat(result.excerpt()).hasSizeLessThanOrEqualTo(1000);
    assertThat(result.excerpt()).doesNotContain("MIIEowIBAAKCAQEA");
    assertThat(result.truncated()).isTrue();
  }

  @Test
  void passwordBeforeTheCapIsRedacted() {
    String output = "DB_PASSWORD=hunter2-very-secret\n" + "z".repeat(3_000_000);

    CommandResult result = analyze(output, 4096);

    assertThat(result.excerpt()).startsWith("DB_PASSWORD=[SECRET-1]");
    assertThat(result.excerpt()).hasSize(4096);
    assertThat(result.truncated()).isTrue();
  }

  @Test
  void shortOutputIsKeptWhole() {
    CommandResult result = analyze("Filesystem 1024-blocks Used\n", 4096);

    assertThat(result.excerpt()).isEqualTo("Filesystem 1024-blocks Used\n");
    assertThat(result.truncated()).isFalse();
  }
}
