package api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertParserTest {

  private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

  private final AlertParser parser = new AlertParser(List.of("instance", "host", "hostname", "nodename"));

  private static JsonNode json(String text) throws Exception {
    return Json.mapper().readTree(text);
  }

  private static String alertmanager(String alerts) {
    return "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"fleet-sre\",\"groupLabels\":{},"
        + "\"commonLabels\":{},\"commonAnnotations\":{\"runbook\":\"r1\"},\"alerts\":[" + alerts + "]}";
  }

  @Test
  void nativeAlertParsesEveryField() throws Exception {
    var alerts = parser.parseNative(json("""
        {"host":"web-01.example.com","kind":"HostDiskFull","severity":"critical","summary":"disk full",
         "labels":{"mountpoint":"/"},"annotations":{"runbook":"x"},"startsAt":"2026-12-04T09:00:00Z",
         "fingerprint":"abc"}"""), NOW);

    assertThat(alerts).hasSize(1);
    var alert = alerts.get(0).alert();
    assertThat(alerts.get(0).resolved()).isFalse();
    assertThat(alert.host()).isEqualTo("web-01.example.com");
    assertThat(alert.kind()).isEqualTo("HostDiskFull");
    assertThat(alert.severity()).isEqualTo("critical");
    assertThat(alert.labels()).containsEntry("mountpoint", "/");
    assertThat(alert.startsAt()).isEqualTo(Instant.parse("2026-12-04T09:00:00Z"));
    assertThat(alert.deliveryKey()).isEqualTo("abc@2026-12-04T09:00:00Z");
  }

  @Test
  void nativeAlertDefaultsStartsAtAndFingerprint() throws Exception {
    var first = parser.parseNative(json("{\"host\":\"web-01\",\"kind\":\"HighLoad\",\"labels\":{\"a\":\"1\"}}"), NOW);
    var again = parser.parseNative(json("{\"host\":\"web-01\",\"kind\":\"HighLoad\",\"labels\":{\"a\":\"1\"}}"), NOW);
    var other = parser.parseNative(json("{\"host\":\"web-02\",\"kind\":\"HighLoad\",\"labels\":{\"a\":\"1\"}}"), NOW);

    assertThat(first.get(0).alert().startsAt()).isEqualTo(NOW);
    assertThat(first.get(0).alert().fingerprint()).hasSize(16).isEqualTo(again.get(0).alert().fingerprint());
    assertThat(other.get(0).alert().fingerprint()).isNotEqualTo(first.get(0).alert().fingerprint());
  }

  @Test
  void nativeArrayReportsEveryInvalidField() throws Exception {
    assertThatThrownBy(() -> parser.parseNative(json("""
        [{"kind":"HostDiskFull"},
         {"host":"web-01","kind":"x y","startsAt":"yesterday","status":"burning","labels":{"a":{"nested":1}}}]"""), NOW))
        .isInstanceOfSatisfying(AlertParser.InvalidAlertException.class, e -> assertThat(e.problems())
            .extracting(AlertParser.Problem::field)
            .containsExactly("$[0].host", "$[1].kind", "$[1].labels.a", "$[1].startsAt", "$[1].status"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "web01;rm -rf /",
      "$(reboot)",
      "web 01",
      "-oProxyCommand=x",
      "web01`id`",
      "../../etc"})
  void hostileHostIsRejected(String host) throws Exception {
    String body = Json.write(java.util.Map.of("host", host, "kind", "HostDiskFull"));
    assertThatThrownBy(() -> parser.parseNative(json(body), NOW))
        .isInstanceOfSatisfying(AlertParser.InvalidAlertException.class, e -> {
          assertThat(e.problems()).hasSize(1);
          assertThat(e.problems().get(0).field()).isEqualTo("$.host");
        });
  }

  @Test
  void alertmanagerPayloadMixesFiringAndResolved() throws Exception {
    var alerts = parser.parseAlertmanager(json(alertmanager("""
        {"status":"firing","labels":{"alertname":"NodeFilesystemAlmostOutOfSpace","instance":"web-01:9100",
         "severity":"warning"},"annotations":{"summary":"disk"},"startsAt":"2026-12-04T09:00:00.123Z",
         "fingerprint":"f1"},
        {"status":"resolved","labels":{"alertname":"HostHighCpuLoad","instance":"[2001:db8::1]:9100"},
         "startsAt":"2026-12-04T08:00:00Z","fingerprint":"f2"}""")), NOW);

    assertThat(alerts).hasSize(2);
    assertThat(alerts.get(0).resolved()).isFalse();
    assertThat(alerts.get(0).alert().host()).isEqualTo("web-01");
    assertThat(alerts.get(0).alert().kind()).isEqualTo("NodeFilesystemAlmostOutOfSpace");
    assertThat(alerts.get(0).alert().summary()).isEqualTo("disk");
    assertThat(alerts.get(0).alert().annotations()).containsEntry("runbook", "r1");
    assertThat(alerts.get(0).alert().source()).isEqualTo("alertmanager");
    assertThat(alerts.get(1).resolved()).isTrue();
    assertThat(alerts.get(1).alert().host()).isEqualTo("2001:db8::1");
  }

  @Test
  void hostLabelsAreTriedInOrder() throws Exception {
    var alerts = parser.parseAlertmanager(json(alertmanager("""
        {"status":"firing","labels":{"alertname":"A","nodename":"node-7","hostname":"host-3"}}""")), NOW);

    assertThat(alerts.get(0).alert().host()).isEqualTo("host-3");
  }

  @Test
  void alertmanagerProblemsNameTheField() throws Exception {
    assertThatThrownBy(() -> parser.parseAlertmanager(json("""
        {"version":"3","alerts":[{"status":"firing","labels":{"instance":"web-01:9100"}},
                                 {"status":"firing","labels":{"alertname":"A","job":"node"}}]}"""), NOW))
        .isInstanceOfSatisfying(AlertParser.InvalidAlertException.class, e -> assertThat(e.problems())
            .extracting(AlertParser.Problem::field)
            .containsExactly("$.version", "$.alerts[0].labels.alertname", "$.alerts[1].labels"));
  }

  @Test
  void alertmanagerWithoutAlertsIsRejected() throws Exception {
    assertThatThrownBy(() -> parser.parseAlertmanager(json("{\"version\":\"4\",\"alerts\":[]}"), NOW))
        .isInstanceOfSatisfying(AlertParser.InvalidAlertException.class,
            e -> assertThat(e.problems().get(0).field()).isEqualTo("$.alerts"));
  }

  @Test
  void parseAnyDetectsTheFormat() throws Exception {
    assertThat(parser.parseAny(json(alertmanager("{\"labels\":{\"alertname\":\"A\",\"host\":\"h1\"}}")), NOW)
        .get(0).alert().source()).isEqualTo("alertmanager");
    assertThat(parser.parseAny(json("{\"host\":\"h1\",\"kind\":\"A\"}"), NOW).get(0).alert().source())
        .isEqualTo("api");
  }
}
