package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import fleet.CommandPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalErrorsAnalyzerTest {

  private static final CommandPolicy POLICY = CommandPolicy.fromConfig(
      ConfigFactory.parseResources("policy.conf").resolve().getConfig("fleet-sre.command-policy"));

  private final JournalErrorsAnalyzer analyzer = new JournalErrorsAnalyzer();
  private final StackProfile profile = Fixtures.profile();

  private static ObjectNode params(String json) {
    try {
      return (ObjectNode) Json.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void rendersDefaultForm() {
    List<String> argv = analyzer.render(params("{}"), profile);

    assertThat(argv).containsExactly("journalctl", "--no-pager", "--quiet", "--output=short-iso", "--priority=err",
        "--lines=" + Math.min(profile.errorLogLines(), 5_000), "--since=-1d");
    assertThat(POLICY.check(argv).allowed()).as(POLICY.check(argv).reason()).isTrue();
  }

  @Test
  void rendersUnitKernelAndSince() {
    List<String> argv = analyzer.render(
        params("{\"unit\":\"php8.2-fpm.service\",\"kernel\":true,\"since\":\"-6h\",\"priority\":\"warning\"}"), profile);

    assertThat(argv).contains("--unit=php8.2-fpm.service", "--dmesg", "--since=-6h", "--priority=warning");
    assertThat(POLICY.check(argv).allowed()).as(POLICY.check(argv).reason()).isTrue();
  }

  @Test
  void hostileUnitIsRejectedByPolicy() {
    for (String unit : List.of("nginx;id", "nginx.service --vacuum-size=1M", "*", "-f", "$(id)", "../../etc/shadow")) {
      List<String> argv = analyzer.render(params("{\"unit\":" + Json.mapper().valueToTree(unit) + "}"), profile);

      assertThat(POLICY.check(argv).allowed()).as(unit).isFalse();
    }
  }

  @Test
  void rejectsInvalidParameters() {
    assertThatThrownBy(() -> analyzer.render(params("{\"since\":\"-100y\"}"), profile))
        .hasMessageContaining("since [-100y] is invalid");
    assertThatThrownBy(() -> analyzer.render(params("{\"priority\":\"debug\"}"), profile))
        .hasMessageContaining("priority [debug] is invalid");
    assertThatThrownBy(() -> analyzer.render(params("{\"kernel\":\"yes\"}"), profile))
        .hasMessageContaining("parameter [kernel] must be true or false");
  }

  @Test
  void groupsEntriesAndNamesOomKills() {
    List<String> argv = analyzer.render(params("{\"kernel\":false}"), profile);

    JsonNode findings = analyzer.parse(argv, Fixtures.stdout("journal-oom.txt"));

    assertThat(findings.get("noEntries").asBoolean()).isFalse();
    assertThat(findings.get("lines").asInt()).isEqualTo(6);
    assertThat(findings.get("errorLines").asInt()).isEqualTo(6);
    assertThat(findings.get("identifiers").get("kernel").asInt()).isEqualTo(3);
    assertThat(findings.get("identifiers").get("systemd").asInt()).isEqualTo(2);
    assertThat(findings.get("identifiers").get("mysqld").asInt()).isEqualTo(1);
    JsonNode top = findings.get("topMessages").get(0);
    assertThat(top.get("message").asText()).startsWith("kernel: Out of memory: Killed process <n> (php-fpm<n>.<n>)");
    assertThat(top.get("count").asInt()).isEqualTo(3);
    JsonNode known = findings.get("known").get(0);
    assertThat(known.get("id").asText()).isEqualTo(KnownLogIssues.OOM_KILL);
    assertThat(known.get("subject").asText()).isEqualTo("php-fpm8.2");
  }

  @Test
  void emptyJournalHasNoEntries() {
    JsonNode findings = analyzer.parse(analyzer.render(params("{}"), profile), Fixtures.exited(0, "", ""));

    assertThat(findings.get("noEntries").asBoolean()).isTrue();
    assertThat(findings.get("topMessages")).isEmpty();
  }
}
