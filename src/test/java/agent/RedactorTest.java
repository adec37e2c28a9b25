package agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

  /** Every secret value planted in the corpus under src/test/resources/agent/redaction. */
  private static final List<String> SECRETS = List.of(
      // wp-config.php
      "Xk9#qL2!vR7$wP4z", "a]7Kp%E|t:Q$-+8mN@v3R^zW!b2Lx0&Gy5Hc(Jd4Fs6Tu1Ve9Iw",
      "Pq{3Zr*8Ws!2Tx@5Uy#7Vz$9Aa%1Bb^4Cc&6Dd(8Ee)0Ff-2Gg", "h~Y6j<K9l>M2n?N5o/P8p",
      "Lm3Nb5Vc7Xz9As1Sd3Df5Gh7Jk9Lq2Wq4Er6Ty8Ui0Op2Pa4Sd", "1qA!2wS@3eD#4rF$5tG%6yH^7uJ&8iK*9oL(0pZ)-xC_=vB+nM",
      "Zx8Cv6Bn4Mm2Aa0Ss9Dd7Ff5Gg3Hh1Jj8Kk6Ll4Qq2Ww0Ee9Rr", "Tt7Yy5Uu3Ii1Oo9Pp7Aa5Ss3Dd1Ff9Gg7Hh5Jj3Kk1Ll9Zz7Xx",
      "Mm1Nn3Bb5Vv7Cc9Xx1Zz3Aa5Ss7Dd9Ff1Gg3Hh5Jj7Kk9Ll1Qq", "r3d1s-Pa55",
      // Laravel .env
      "2fl+Ktvkfl+Fuz4Qp/A75G2RTiWVA/ZoKZvp6fiiM10=", "pr0d-DB-p@ss w0rd", "R3disUrlSecret", "mailgun-Sm7p-Secret",
      "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "sk_live_51Hx9EXAMPLEs3cr3tK3yForStripe",
      "ghp_EXAMPLEt0kenV4lue1234567890abcdef", "pusherS3cretValue", "UrlDbPassw0rd",
      // ps listing
      "B4ckup-Only!", "Cl1P4ssw0rd", "R3p0rtPw", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjcm9uIn0.c2lnbmF0dXJlLXNlY3JldA",
      "AdminCurlPw", "SyncDbPw2024", "PgSyncPass", "SshpassSecret", "PgEnvSecret",
      // access log
      "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "cs_5e3f0c1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e", "Zk3pQ9sT1vX7",
      "ya29.A0ARrdaMExampleAccessToken", "hunter2-in-url",
      // misc
      "MyCnfPassw0rd", "AKIAJ7EXAMPLEKEYID12", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
      "sk-proj-Rz8pQ1wX9vT4yU7iO2pA5sD", "JsonPassw0rd!", "tok_9a8b7c6d5e", "YamlRedisPw",
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
      "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF", "TruncatedKeyBodyWithoutEndLineEXAMPLE");

  private static final List<String> CORPUS = List.of(
      "wp-config.php.txt", "laravel.env.txt", "ps-listing.txt", "access-with-tokens.txt", "misc-secrets.txt");

  @Test
  void noSecretSurvivesCorpus() {
    Redactor redactor = new Redactor();
    StringBuilder all = new StringBuilder();
    for (String file : CORPUS) {
      all.append(redactor.redact(Fixtures.read("redaction/" + file))).append('\n');
    }
    String redacted = all.toString();

    for (String secret : SECRETS) {
      assertThat(redacted).as("secret %s", secret).doesNotContain(secret);
    }
  }

  /** Files without private key blocks keep their line count: a key body collapses into one placeholder. */
  @ParameterizedTest
  @ValueSource(strings = {"wp-config.php.txt", "laravel.env.txt", "ps-listing.txt", "access-with-tokens.txt"})
  void keepsNonSecretContext(String file) {
    String original = Fixtures.read("redaction/" + file);

    String redacted = new Redactor().redact(original);

    assertThat(redacted).contains("[SECRET-1]");
    assertThat(redacted.lines().count()).isEqualTo(original.lines().count());
  }

  @Test
  void wpConfigKeepsStructure() {
    String redacted = new Redactor().redact(Fixtures.read("redaction/wp-config.php.txt"));

    assertThat(redacted).contains("define( 'DB_PASSWORD', '[SECRET-1]' );");
    assertThat(redacted).contains("define( 'DB_NAME', 'shop_wp' );");
    assertThat(redacted).contains("define( 'DB_HOST', 'localhost' );");
    assertThat(redacted).contains("define( 'DISABLE_WP_CRON', true );");
  }

  @Test
  void envKeepsNonSecretValues() {
    String redacted = new Redactor().redact(Fixtures.read("redaction/laravel.env.txt"));

    assertThat(redacted).contains("DB_HOST=127.0.0.1", "DB_USERNAME=blog", "APP_URL=https://blog.example.org",
        "REDIS_PASSWORD=null", "EMPTY_PASSWORD=\n", "MAIL_USERNAME=postmaster@mg.example.org");
  }

  @Test
  void sameSecretSamePlaceholder() {
    Redactor redactor = new Redactor();

    String first = redactor.redact("mysql -u root -pHunter22 shop");
    String second = redactor.redact("DB_PASSWORD=Hunter22\nAPP_KEY=other");

    assertThat(first).isEqualTo("mysql -u root -p[SECRET-1] shop");
    assertThat(second).isEqualTo("DB_PASSWORD=[SECRET-1]\nAPP_KEY=[SECRET-2]");
  }

  @Test
  void separateInstancesNumberIndependently() {
    assertThat(new Redactor().redact("--password=a1")).isEqualTo("--password=[SECRET-1]");
    assertThat(new Redactor().redact("--password=b2")).isEqualTo("--password=[SECRET-1]");
  }

  @Test
  void dsnKeepsUserAndHost() {
    assertThat(new Redactor().redact("DSN mysql://shop:pa55@db.example.com:3306/shop"))
        .isEqualTo("DSN mysql://shop:[SECRET-1]@db.example.com:3306/shop");
  }

  @Test
  void privateKeyKeepsMarkers() {
    String key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";

    String redacted = new Redactor().redact(key);

    assertThat(redacted).isEqualTo("-----BEGIN PRIVATE KEY-----\n[SECRET-1]\n-----END PRIVATE KEY-----\n");
  }

  @Test
  void ordinaryTextUnchanged() {
    String text = "nginx: [emerg] unknown directive \"proxy_buffer\" in /etc/nginx/sites-enabled/shop:42\n"
        + "ps -p 1234 -o pid\nmkdir -p /var/www\n";

    assertThat(new Redactor().redact(text)).isEqualTo(text);
    assertThat(new Redactor().redact(null)).isNull();
    assertThat(new Redactor().redact("")).isEmpty();
  }
}
