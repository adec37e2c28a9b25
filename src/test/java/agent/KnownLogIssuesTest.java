package agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class KnownLogIssuesTest {

  private static JsonNode known(String fixture) {
    return new LogErrorsAnalyzer().parse(Fixtures.stdout(fixture)).get("known");
  }

  private static JsonNode knownInLines(String... lines) {
    return new LogErrorsAnalyzer().parse(Fixtures.exited(0, String.join("\n", lines) + "\n", "")).get("known");
  }

  @Test
  void nginxLogGivesTimeoutAndUnavailable() {
    JsonNode known = known("nginx-error.txt");

    assertThat(known).hasSize(2);
    JsonNode unavailable = known.get(0);
    assertThat(unavailable.get("id").asText()).isEqualTo("upstream-unavailable");
    assertThat(unavailable.get("count").asInt()).isEqualTo(1);
    assertThat(unavailable.get("subject").asText()).isEqualTo("fastcgi://unix:/run/php/php8.2-fpm-blog.sock");
    assertThat(unavailable.get("detail").asText()).isEqualTo("No such file or directory");
    assertThat(unavailable.get("server").asText()).isEqualTo("blog.example.org");
    JsonNode timeout = known.get(1);
    assertThat(timeout.get("id").asText()).isEqualTo("upstream-timeout");
    assertThat(timeout.get("count").asInt()).isEqualTo(4);
    assertThat(timeout.get("subject").asText()).isEqualTo("fastcgi://unix:/run/php/php8.2-fpm-shop.sock");
    assertThat(timeout.get("server").asText()).isEqualTo("shop.example.com");
    assertThat(timeout.get("last").asText()).startsWith("2024/12/04 11:56:02 [error]");
  }

  @Test
  void phpFpmLogGivesMaxChildrenAndSlowScripts() {
    JsonNode known = known("php-fpm-log.txt");

    assertThat(known).extracting(issue -> issue.get("id").asText())
        .containsExactly("php-fpm-max-children", "php-fpm-slow-requests");
    JsonNode maxChildren = known.get(0);
    assertThat(maxChildren.get("count").asInt()).isEqualTo(3);
    assertThat(maxChildren.get("subject").asText()).isEqualTo("shop_example_com");
    assertThat(maxChildren.get("limit").asInt()).isEqualTo(12);
    JsonNode slow = known.get(1);
    assertThat(slow.get("subject").asText()).isEqualTo("/var/www/shop/xmlrpc.php");
    assertThat(slow.get("detail").asText()).isEqualTo("POST /xmlrpc.php");
    assertThat(slow.get("limit").isNull()).isTrue();
  }

  @Test
  void syslogGivesOomKill() {
    JsonNode known = known("syslog.txt");

    assertThat(known).hasSize(1);
    assertThat(known.get(0).get("id").asText()).isEqualTo("oom-kill");
    assertThat(known.get(0).get("count").asInt()).isEqualTo(1);
    assertThat(known.get(0).get("subject").asText()).isEqualTo("php-fpm8.2");
  }

  @Test
  void recognisesTooManyConnectionsFromPhp() {
    JsonNode known = knownInLines(
        "2026/12/04 09:14:11 [error] 1190#1190: *98765 FastCGI sent in stderr: \"PHP message: PHP Warning:  "
            + "mysqli_real_connect(): (HY000/1040): Too many connections in /var/www/shop/wp-includes/class-wpdb.php "
            + "on line 1987\" while reading response header from upstream, client: 192.0.2.44, server: shop.example.com, "
            + "request: \"GET / HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-shop.sock:\", host: "
            + "\"shop.example.com\"",
        "[2026-12-04 09:14:12] production.ERROR: SQLSTATE[HY000] [1040] Too many connections");

    assertThat(known).hasSize(1);
    assertThat(known.get(0).get("id").asText()).isEqualTo("mysql-too-many-connections");
    assertThat(known.get(0).get("count").asInt()).isEqualTo(2);
    assertThat(known.get(0).get("server").asText()).isEqualTo("shop.example.com");
  }

  @Test
  void recognisesApacheFcgiFailures() {
    JsonNode known = knownInLines(
        "[Fri Dec 04 09:20:01.123456 2026] [proxy_fcgi:error] [pid 2211:tid 140112] (70007)The timeout specified has "
            + "expired: [client 192.0.2.7:51234] AH01075: Error dispatching request to : (polling)",
        "[Fri Dec 04 09:21:07.654321 2026] [proxy:error] [pid 2212:tid 140113] (111)Connection refused: AH02454: FCGI: "
            + "attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (*:80) failed");

    assertThat(known).extracting(issue -> issue.get("id").asText())
        .containsExactly("upstream-unavailable", "upstream-timeout");
    assertThat(known.get(0).get("subject").asText()).isEqualTo("/run/php/php8.2-fpm.sock");
    assertThat(known.get(0).get("detail").asText()).isEqualTo("Connection refused");
  }

  @Test
  void ordinaryLinesGiveNoKnownIssue() {
    assertThat(knownInLines("2026/12/04 09:00:00 [error] 10#10: *1 open() \"/var/www/x/favicon.ico\" failed "
        + "(2: No such file or directory)")).isEmpty();
  }

  @Test
  void describeMaxChildrenNamesPoolAndUnit() {
    JsonNode issue = known("php-fpm-log.txt").get(0);

    KnownLogIssues.Diagnosis diagnosis = KnownLogIssues.describe(issue, "/var/log/php8.2-fpm.log", "php-fpm");

    assertThat(diagnosis.claim())
        .isEqualTo("PHP-FPM pool shop_example_com reached pm.max_children (12) 3 times in /var/log/php8.2-fpm.log");
    assertThat(diagnosis.cause()).startsWith("PHP-FPM pool shop_example_com runs out of workers");
    assertThat(diagnosis.fixes()).extracting(Insight.Fix::command)
        .contains("php-fpm8.2 -t && systemctl reload php8.2-fpm");
  }

  @Test
  void describeTimeoutUsesFallbackUnit() {
    JsonNode issue = knownInLines(
        "2026/12/04 09:00:00 [error] 10#10: *1 upstream timed out (110: Connection timed out) while reading response "
            + "header from upstream, client: 192.0.2.1, server: shop.example.com, request: \"GET / HTTP/1.1\", "
            + "upstream: \"fastcgi://unix:/run/php/shop.sock:\", host: \"shop.example.com\"").get(0);

    KnownLogIssues.Diagnosis diagnosis = KnownLogIssues.describe(issue, "/var/log/nginx/error.log", "php8.3-fpm");

    assertThat(diagnosis.cause()).isEqualTo("Requests to the upstream fastcgi://unix:/run/php/shop.sock timed out once "
        + "(server shop.example.com): it answers too slowly, so clients get 504 Gateway Timeout");
    assertThat(diagnosis.fixes()).extracting(Insight.Fix::command)
        .containsExactly("systemctl status php8.3-fpm --no-pager");
    assertThat(diagnosis.remediation()).hasSize(1);
  }

  @Test
  void everyIssueHasDiagnosis() {
    for (String id : KnownLogIssues.PRIORITY) {
      JsonNode issue = Json.object().put("id", id).put("count", 2);

      KnownLogIssues.Diagnosis diagnosis = KnownLogIssues.describe(issue, "/var/log/x.log", "php8.2-fpm");

      assertThat(diagnosis.claim()).as(id).contains("/var/log/x.log");
      assertThat(diagnosis.cause()).as(id).isNotBlank();
      assertThat(diagnosis.remediation()).as(id).isNotEmpty();
    }
    assertThat(KnownLogIssues.priority(Json.object().put("id", "oom-kill"))).isZero();
    assertThat(KnownLogIssues.priority(Json.object().put("id", "other"))).isEqualTo(KnownLogIssues.PRIORITY.size());
  }
}
