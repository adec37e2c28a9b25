package agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTopAnalyzerTest {

  private final AccessLogTopAnalyzer analyzer = new AccessLogTopAnalyzer();
  private final JsonNode findings = analyzer.parse(Fixtures.stdout("access-nginx.txt"));

  @Test
  void rendersTailOfFile() {
    assertThat(analyzer.render(Json.object().put("file", "/var/log/nginx/access.log"), Fixtures.profile()))
        .containsExactly("tail", "-n", "20000", "/var/log/nginx/access.log");
  }

  @Test
  void countsParsedAndUnparsedLines() {
    assertThat(findings.get("lines").asInt()).isEqualTo(1016);
    assertThat(findings.get("parsed").asInt()).isEqualTo(1014);
    assertThat(findings.get("unparsed").asInt()).isEqualTo(2);
    assertThat(findings.get("unparsedSamples")).hasSize(2);
    assertThat(findings.get("window").get("from").asText()).isEqualTo("2024-12-04T11:40Z");
  }

  @Test
  void ranksTopClientWithShareAndPath() {
    JsonNode top = findings.get("topClients").get(0);

    assertThat(top.get("ip").asText()).isEqualTo("203.0.113.45");
    assertThat(top.get("requests").asInt()).isEqualTo(472);
    assertThat(top.get("share").asDouble()).isEqualTo(0.4655);
    assertThat(top.get("topPaths").get(0).get("path").asText()).isEqualTo("/xmlrpc.php");
    assertThat(top.get("topPaths").get(0).get("requests").asInt()).isEqualTo(460);
    assertThat(top.get("userAgent").asText()).contains("Firefox/62.0");
  }

  @Test
  void readsIpv6AndVhostPrefixedLines() {
    List<String> ips = Json.elements(findings.get("topClients")).stream().map(c -> c.get("ip").asText()).toList();

    assertThat(ips).contains("2001:db8:4006:812::200e", "198.51.100.23");
    assertThat(ips).doesNotContain("shop.example.com:443");
  }

  @Test
  void flagsKnownBots() {
    List<JsonNode> agents = Json.elements(findings.get("topUserAgents"));
    JsonNode python = agents.stream().filter(a -> a.get("userAgent").asText().startsWith("python-requests"))
        .findFirst().orElseThrow();
    JsonNode ahrefs = agents.stream().filter(a -> a.get("userAgent").asText().contains("AhrefsBot"))
        .findFirst().orElseThrow();

    assertThat(python.get("bot").asBoolean()).isTrue();
    assertThat(python.get("botName").asText()).isEqualTo("python-requests");
    assertThat(ahrefs.get("bot").asBoolean()).isTrue();
    assertThat(ahrefs.get("requests").asInt()).isEqualTo(64);
    assertThat(agents.get(0).get("bot").asBoolean()).isFalse();
  }

  @Test
  void listsAbusePathsWithTopIp() {
    List<JsonNode> abuse = Json.elements(findings.get("abusePaths"));

    assertThat(abuse).extracting(a -> a.get("path").asText())
        .containsExactly("/xmlrpc.php", "/wp-login.php", "/.env", "/wp-admin/admin-ajax.php");
    assertThat(abuse.get(0).get("requests").asInt()).isEqualTo(460);
    assertThat(abuse.get(0).get("topIp").asText()).isEqualTo("203.0.113.45");
    assertThat(abuse.get(1).get("topIp").asText()).isEqualTo("198.51.100.23");
    assertThat(abuse.get(2).get("requests").asInt()).isEqualTo(3);
    assertThat(abuse.get(2).get("topIp").asText()).isEqualTo("192.0.2.77");
    assertThat(abuse.get(3).get("noteOnly").asBoolean()).isTrue();
    assertThat(abuse.get(0).get("noteOnly").asBoolean()).isFalse();
  }

  @Test
  void countsStatusesAndStripsQueryStrings() {
    assertThat(findings.get("statuses").get("400").asInt()).isEqualTo(1);
    assertThat(findings.get("statuses").get("200").asInt()).isGreaterThan(900);
    assertThat(findings.toString()).doesNotContain("9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    assertThat(findings.toString()).doesNotContain("orderby=price");
  }

  @Test
  void emptyOutputGivesEmptyLists() {
    JsonNode empty = analyzer.parse(Fixtures.exited(0, "", ""));

    assertThat(empty.get("lines").asInt()).isZero();
    assertThat(empty.get("topClients")).isEmpty();
    assertThat(empty.has("window")).isFalse();
  }

  @Test
  void countsClientsPerUserAgent() {
    String crawler = "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)";
    String log = String.join("\n",
        "47.128.16.10 - - [04/Dec/2026:09:00:00 +0000] \"GET /a HTTP/1.1\" 200 10 \"-\" \"" + crawler + "\"",
        "47.128.16.11 - - [04/Dec/2026:09:00:01 +0000] \"GET /a HTTP/1.1\" 200 10 \"-\" \"" + crawler + "\"",
        "47.128.16.12 - - [04/Dec/2026:09:00:02 +0000] \"GET /b HTTP/1.1\" 200 10 \"-\" \"" + crawler + "\"",
        "192.0.2.5 - - [04/Dec/2026:09:00:03 +0000] \"GET / HTTP/2.0\" 200 10 \"-\" \"Mozilla/5.0\"") + "\n";

    JsonNode findings = new AccessLogTopAnalyzer().parse(Fixtures.exited(0, log, ""));

    JsonNode top = findings.get("topUserAgents").get(0);
    assertThat(top.get("userAgent").asText()).isEqualTo(crawler);
    assertThat(top.get("clients").asInt()).isEqualTo(3);
    assertThat(top.get("topPath").asText()).isEqualTo("/a");
    assertThat(top.get("botName").asText()).isEqualTo("Bytespider");
  }
}
