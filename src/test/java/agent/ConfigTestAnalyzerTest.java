package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigTestAnalyzerTest {

  private static final List<String> NGINX = List.of("nginx", "-t");
  private static final List<String> APACHE = List.of("apache2ctl", "-t");
  private static final List<String> PHP_FPM = List.of("php-fpm8.2", "-t");

  private final StackProfile profile = Fixtures.profile();
  private final ConfigTestAnalyzer analyzer = new ConfigTestAnalyzer(profile);

  @Test
  void rendersConfiguredArgv() {
    assertThat(analyzer.render(Json.object().put("service", "nginx"), profile)).containsExactly("nginx", "-t");
    assertThat(analyzer.render(Json.object().put("service", "apache"), profile)).containsExactly("apache2ctl", "-t");
    assertThatThrownBy(() -> analyzer.render(Json.object().put("service", "postfix"), profile))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("postfix");
  }

  @Test
  void nginxUnknownDirectiveOnStderr() {
    JsonNode findings = analyzer.parse(NGINX, Fixtures.exited(1, "", Fixtures.read("nginx-t-fail.txt")));

    assertThat(findings.get("service").asText()).isEqualTo("nginx");
    assertThat(findings.get("ok").asBoolean()).isFalse();
    assertThat(findings.get("installed").asBoolean()).isTrue();
    JsonNode error = findings.get("errors").get(0);
    assertThat(error.get("file").asText()).isEqualTo("/etc/nginx/sites-enabled/shop.example.com");
    assertThat(error.get("line").asInt()).isEqualTo(42);
    assertThat(error.get("directive").asText()).isEqualTo("proxy_buffer");
    assertThat(error.get("message").asText()).isEqualTo("unknown directive \"proxy_buffer\"");
    assertThat(findings.get("errors")).hasSize(1);
    assertThat(findings.get("warnings").get(0).asText()).startsWith("conflicting server name");
  }

  @Test
  void nginxSuccess() {
    JsonNode findings = analyzer.parse(NGINX, Fixtures.exited(0, "", Fixtures.read("nginx-t-ok.txt")));

    assertThat(findings.get("ok").asBoolean()).isTrue();
    assertThat(findings.get("errors")).isEmpty();
  }

  @Test
  void nginxErrorWithoutFileLine() {
    JsonNode findings = analyzer.parse(NGINX, Fixtures.exited(1, "", Fixtures.read("nginx-t-cert.txt")));

    JsonNode error = findings.get("errors").get(0);
    assertThat(error.get("file").isNull()).isTrue();
    assertThat(error.get("line").isNull()).isTrue();
    assertThat(error.get("message").asText()).startsWith("cannot load certificate");
  }

  @Test
  void nginxRunWithoutPrivileges() {
    JsonNode findings = analyzer.parse(NGINX, Fixtures.exited(1, "", Fixtures.read("nginx-t-unprivileged.txt")));

    assertThat(findings.get("ok").asBoolean()).isFalse();
    assertThat(Json.elements(findings.get("errors"))).extracting(e -> e.get("message").asText())
        .containsExactly(
            "could not open error log file: open() \"/var/log/nginx/error.log\" failed (13: Permission denied)",
            "open() \"/run/nginx.pid\" failed (13: Permission denied)");
  }

  @Test
  void apacheSyntaxErrorTakesNextLine() {
    JsonNode findings = analyzer.parse(APACHE, Fixtures.exited(1, "", Fixtures.read("apache-t-fail.txt")));

    assertThat(findings.get("service").asText()).isEqualTo("apache");
    JsonNode error = findings.get("errors").get(0);
    assertThat(error.get("file").asText()).isEqualTo("/etc/apache2/sites-enabled/blog.example.org.conf");
    assertThat(error.get("line").asInt()).isEqualTo(12);
    assertThat(error.get("directive").asText()).isEqualTo("RewriteEngine");
    assertThat(error.get("message").asText()).startsWith("Invalid command 'RewriteEngine'");
    assertThat(findings.get("errors")).hasSize(1);
  }

  @Test
  void apacheNestedIncludeNamesInnermostFile() {
    JsonNode findings = analyzer.parse(APACHE, Fixtures.exited(1, "", Fixtures.read("apache-t-nested.txt")));

    JsonNode error = findings.get("errors").get(0);
    assertThat(error.get("file").asText()).isEqualTo("/etc/apache2/sites-enabled/shop.conf");
    assertThat(error.get("line").asInt()).isEqualTo(7);
    assertThat(error.get("directive").asText()).isEqualTo("ServerName");
  }

  @Test
  void apacheSyntaxOkWithWarning() {
    JsonNode findings = analyzer.parse(APACHE, Fixtures.exited(0, "Syntax OK\n",
        Fixtures.read("apache-t-ok.txt").replace("Syntax OK\n", "")));

    assertThat(findings.get("ok").asBoolean()).isTrue();
    assertThat(findings.get("errors")).isEmpty();
  }

  @Test
  void phpFpmUnknownEntry() {
    JsonNode findings = analyzer.parse(PHP_FPM, Fixtures.exited(78, "", Fixtures.read("phpfpm-t-fail.txt")));

    assertThat(findings.get("service").asText()).isEqualTo("php-fpm");
    JsonNode error = findings.get("errors").get(0);
    assertThat(error.get("file").asText()).isEqualTo("/etc/php/8.2/fpm/pool.d/www.conf");
    assertThat(error.get("line").asInt()).isEqualTo(12);
    assertThat(error.get("directive").asText()).isEqualTo("pm.max_childs");
    assertThat(findings.get("errors")).hasSize(4);
  }

  @Test
  void phpFpmPoolValueError() {
    JsonNode findings = analyzer.parse(PHP_FPM, Fixtures.exited(78, "", Fixtures.read("phpfpm-t-pool.txt")));

    assertThat(findings.get("errors").get(0).get("directive").asText()).isEqualTo("pm.max_children");
  }

  @Test
  void phpFpmSuccess() {
    JsonNode findings = analyzer.parse(PHP_FPM, Fixtures.exited(0, "", Fixtures.read("phpfpm-t-ok.txt")));

    assertThat(findings.get("ok").asBoolean()).isTrue();
    assertThat(findings.get("installed").asBoolean()).isTrue();
  }

  @Test
  void notInstalledFromExit127OrRunnerError() {
    JsonNode shell = analyzer.parse(APACHE, Fixtures.exited(127, "", "bash: line 1: apache2ctl: command not found\n"));
    JsonNode sudo = analyzer.parse(List.of("sudo", "-n", "apache2ctl", "-t"),
        Fixtures.exited(1, "", "sudo: apache2ctl: command not found\n"));
    JsonNode local = analyzer.parse(APACHE, CommandOutput.failed(CommandOutput.Outcome.FAILED,
        "Cannot run program \"apache2ctl\": error=2, No such file or directory", Duration.ZERO));

    for (JsonNode findings : List.of(shell, sudo, local)) {
      assertThat(findings.get("installed").asBoolean()).isFalse();
      assertThat(findings.get("ok").asBoolean()).isFalse();
      assertThat(findings.get("errors")).isEmpty();
    }
    assertThat(shell.get("service").asText()).isEqualTo("apache");
    assertThat(sudo.get("service").asText()).isEqualTo("apache");
  }

  @Test
  void guessesServiceWithoutArgv() {
    assertThat(analyzer.parse(Fixtures.exited(1, "", Fixtures.read("nginx-t-fail.txt"))).get("service").asText())
        .isEqualTo("nginx");
    assertThat(analyzer.parse(Fixtures.exited(1, "", Fixtures.read("apache-t-fail.txt"))).get("service").asText())
        .isEqualTo("apache");
    assertThat(analyzer.parse(Fixtures.exited(78, "", Fixtures.read("phpfpm-t-fail.txt"))).get("service").asText())
        .isEqualTo("php-fpm");
  }

  @Test
  void failureWithoutRecognisedLineKeepsLastLine() {
    JsonNode findings = analyzer.parse(NGINX, Fixtures.exited(1, "", "something unexpected\n"));

    assertThat(findings.get("errors").get(0).get("message").asText()).isEqualTo("something unexpected");
  }
}
