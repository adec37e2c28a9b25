package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAnalyzersTest {

  private final StackProfile profile = Fixtures.profile();
  private final CertificateExpiryAnalyzer expiry = new CertificateExpiryAnalyzer(Fixtures.CLOCK);

  private static List<String> opensslFor(String file) {
    return List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in", file);
  }

  @Test
  void certificateFilesRendersOneGlob() {
    CertificateFilesAnalyzer files = new CertificateFilesAnalyzer();

    assertThat(files.render(null, profile)).containsExactly("find", "/etc/letsencrypt/live", "/etc/ssl/certs",
        "-maxdepth", "2", "-xtype", "f", "-name", "cert.pem", "-printf", "%s\\t%T@\\t%p\\n");
    assertThat(CertificateFilesAnalyzer.paramsPerGlob(profile)).extracting(p -> p.get("name").asText())
        .containsExactly("cert.pem", "*.crt");
    assertThatThrownBy(() -> files.render(Json.object().put("name", "../x"), profile))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void certificateFilesParsesListing() {
    JsonNode findings = new CertificateFilesAnalyzer().parse(Fixtures.exited(1,
        "40\t1791000000.1234567890\t/etc/letsencrypt/live/shop.example.com/cert.pem\n"
            + "41\t1795000000.0000000000\t/etc/letsencrypt/live/blog.example.org/cert.pem\n",
        "find: ‘/etc/letsencrypt/live/old.example.net’: Permission denied\n"));

    assertThat(findings.get("files")).extracting(f -> f.get("path").asText()).containsExactly(
        "/etc/letsencrypt/live/blog.example.org/cert.pem", "/etc/letsencrypt/live/shop.example.com/cert.pem");
    assertThat(findings.get("errors").get(0).asText()).contains("Permission denied");
  }

  @Test
  void expiryRendersOpenssl() {
    assertThat(expiry.render(Json.object().put("file", "/etc/ssl/certs/shop.crt"), profile))
        .isEqualTo(opensslFor("/etc/ssl/certs/shop.crt"));
    assertThatThrownBy(() -> expiry.render(Json.object().put("file", "shop.crt"), profile))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void expiryParsesOpenssl3Output() {
    // The fixtures' clock is 2024-12-04T12:00:00Z.
    JsonNode findings = expiry.parse(opensslFor("/etc/letsencrypt/live/shop.example.com/cert.pem"),
        Fixtures.exited(0, "notAfter=Dec  9 07:41:12 2024 GMT\nsubject=CN = shop.example.com\n", ""));

    assertThat(findings.get("file").asText()).isEqualTo("/etc/letsencrypt/live/shop.example.com/cert.pem");
    assertThat(findings.get("notAfter").asText()).isEqualTo("2024-12-09T07:41:12Z");
    assertThat(findings.get("daysLeft").asLong()).isEqualTo(4);
    assertThat(findings.get("expired").asBoolean()).isFalse();
    assertThat(findings.get("commonName").asText()).isEqualTo("shop.example.com");
    assertThat(findings.get("error").isNull()).isTrue();
  }

  @Test
  void expiryMarksExpiredCertificate() {
    JsonNode findings = expiry.parse(opensslFor("/etc/ssl/certs/old.crt"), Fixtures.exited(0,
        "notAfter=Nov 30 23:59:59 2024 GMT\nsubject=C = DE, O = Example GmbH, CN = old.example.de\n", ""));

    assertThat(findings.get("daysLeft").asLong()).isEqualTo(-4);
    assertThat(findings.get("expired").asBoolean()).isTrue();
    assertThat(findings.get("commonName").asText()).isEqualTo("old.example.de");
  }

  @Test
  void expiryReadsLegacySubject() {
    JsonNode findings = expiry.parse(Fixtures.exited(0,
        "notAfter=Mar 15 10:00:00 2025 GMT\nsubject= /C=US/O=Example/CN=www.example.com\n", ""));

    assertThat(findings.get("commonName").asText()).isEqualTo("www.example.com");
    assertThat(findings.get("file").isNull()).isTrue();
  }

  @Test
  void expiryReportsOpensslError() {
    JsonNode findings = expiry.parse(opensslFor("/etc/ssl/certs/shop.crt"), Fixtures.exited(1, "",
        "Could not open file or uri for loading certificate from /etc/ssl/certs/shop.crt\n"
            + "40E7C1B2C57F0000:error:16000069:STORE routines:ossl_store_get0_loader_int:unregistered scheme\n"));

    assertThat(findings.get("error").asText()).startsWith("Could not open file or uri");
    assertThat(findings.get("notAfter").isNull()).isTrue();
    assertThat(findings.get("daysLeft").isNull()).isTrue();
  }
}
