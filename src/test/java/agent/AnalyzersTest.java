package agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzersTest {

  private final Analyzers analyzers = Fixtures.analyzers();

  @Test
  void standardHasEveryAnalyzer() {
    assertThat(analyzers.all()).extracting(Analyzer::name).containsExactly(
        "disk-usage", "inode-usage", "directory-sizes", "large-files", "access-log-files", "access-log-top",
        "config-test", "top-processes", "load", "memory", "log-errors", "journal-errors", "directory-inodes", "certificate-files",
        "certificate-expiry");
    assertThat(Analyzers.standard().find("large-files")).isPresent();
    assertThat(analyzers.find("nope")).isEmpty();
    for (Analyzer analyzer : analyzers.all()) {
      assertThat(analyzer.description()).as(analyzer.name()).isNotBlank();
    }
  }

  @Test
  void rawAndUnknownGiveEmptyObject() {
    CommandOutput output = Fixtures.stdout("loadavg-busy.txt");

    assertThat(analyzers.parse("raw", output).isObject()).isTrue();
    assertThat(analyzers.parse("raw", output)).isEmpty();
    assertThat(analyzers.parse("no-such-analyzer", output)).isEmpty();
    assertThat(analyzers.parse(null, output)).isEmpty();
  }

  @Test
  void throwingAnalyzerGivesParseError() {
    Analyzer broken = new Analyzer() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public String description() {
        return "Always fails.";
      }

      @Override
      public List<String> render(JsonNode params, StackProfile profile) {
        return List.of("true");
      }

      @Override
      public JsonNode parse(CommandOutput output) {
        throw new IllegalStateException("boom");
      }
    };

    JsonNode findings = new Analyzers(List.of(broken)).parse("broken", Fixtures.exited(0, "x", ""));

    assertThat(findings.get("parseError").asText()).isEqualTo("IllegalStateException: boom");
  }

  @Test
  void argvReachesArgvAwareAnalyzers() {
    JsonNode findings = analyzers.parse("log-errors", List.of("tail", "-n", "200", "/var/log/syslog"),
        Fixtures.stdout("syslog.txt"));

    assertThat(findings.get("file").asText()).isEqualTo("/var/log/syslog");
  }

  @Test
  void fromConfigReadsAccessLogRules() {
    var config = com.typesafe.config.ConfigFactory.parseString(
        "analyzers.access-log.bot-user-agents = [\"FriendlyCrawler\"]").withFallback(Fixtures.fleetSre());

    Analyzers custom = Analyzers.fromConfig(config, Fixtures.CLOCK);
    AccessLogTopAnalyzer top = (AccessLogTopAnalyzer) custom.find("access-log-top").orElseThrow();

    assertThat(top.botName("Mozilla/5.0 (compatible; FriendlyCrawler/1.0)")).isEqualTo("FriendlyCrawler");
    assertThat(top.botName("python-requests/2.31.0")).isNull();
  }
}
