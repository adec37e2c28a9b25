package agent;

import static org.assertj.core.api.Assertions.assertThat;

import fleet.CommandOutput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The conclusions for the neighbours of the main use cases: inode exhaustion, PHP-FPM out of
 * workers, MySQL out of connections, upstream timeouts behind 5xx, aggressive crawlers, expiring
 * certificates and overlapping WP-Cron runs. The fixtures' clock is 2024-12-04T12:00:00Z.
 */
class NeighbourPlaybooksTest {

  private final Analyzers analyzers = Fixtures.analyzers();
  private final PlaybookBrain brain = PlaybookBrain.fromConfig(Fixtures.fleetSre(), analyzers, Fixtures.CLOCK);

  private static final String DF_K = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
      + "/dev/vda1         82503656 58675682  19702792      75% /\n";
  private static final String DF_I_FULL = "Filesystem      Inodes   IUsed IFree IUse% Mounted on\n"
      + "/dev/vda1      5242880 5242880     0  100% /\n";
  private static final String NOT_FOUND = "bash: line 1: %s: command not found\n";

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "SslCertificateExpiringSoon,      tls-certificates",
      "BlackboxSslCertificateWillExpireSoon, tls-certificates",
      "TlsCertExpiry,                   tls-certificates",
      "PhpFpmMaxChildrenReached,        general-triage",
      "MysqlTooManyConnections,         general-triage",
      "NginxUpstreamTimeout,            config-downtime",
      "Http504GatewayTimeout,           config-downtime",
      "NginxHighHttp5xxErrorRate,       excessive-requests",
      "HostOutOfInodes,                 disk-space",
  })
  void selectsPlaybookForNeighbours(String alertname, String playbook) {
    assertThat(brain.selectPlaybook(Incident.alert(alertname, Map.of(), ""))).isEqualTo(playbook);
  }

  @Test
  void selectsBySummaryForNeighbours() {
    assertThat(brain.selectPlaybook(Incident.alert("Custom", Map.of(), "Certificate for shop.example.com expires")))
        .isEqualTo("tls-certificates");
    assertThat(brain.selectPlaybook(Incident.alert("Custom", Map.of(), "pool shop reached max_children")))
        .isEqualTo("general-triage");
  }

  // ---- inodes ----

  private static CommandOutput inodeHost(Brain.PlannedCommand command) {
    return switch (command.analyzer()) {
      case "disk-usage" -> Fixtures.exited(0, DF_K, "");
      case "inode-usage" -> Fixtures.exited(0, DF_I_FULL, "");
      case "directory-sizes" -> Fixtures.exited(0, "26214476\t/var/backups\n23349508\t/var/www\n", "");
      case "directory-inodes" -> Fixtures.exited(0, String.join("\n",
          "72\t/var/backups", "4917331\t/var/www/shop/wp-content/cache", "4958702\t/var/www/shop/wp-content",
          "4962604\t/var/www/shop", "4962609\t/var/www", "1212\t/var/log") + "\n", "");
      default -> throw new AssertionError("unexpected command " + command.argv());
    };
  }

  @Test
  void inodeAlertCountsInodesNotLargeFiles() {
    Incident incident = new Incident(brain, Incident.alert("HostOutOfInodes", Map.of("mountpoint", "/"), ""), analyzers);

    InsightDraft draft = incident.run(NeighbourPlaybooksTest::inodeHost);

    assertThat(incident.analyzersOfStep(2)).containsExactly("directory-inodes");
    assertThat(incident.steps.get(1).get(0).argv()).startsWith("du", "--inodes", "-x", "-d", "3", "/var/log");
    assertThat(draft.rootCause()).startsWith("/var/www/shop/wp-content/cache holds 4,917,331 of the 5,242,880 inodes in use on /");
    assertThat(draft.summary()).contains("Inodes on / are 100% used")
        .contains("Its blocks are not full, so large files were not listed.");
    assertThat(draft.fixes()).extracting(Insight.Fix::command)
        .containsExactly("find '/var/www/shop/wp-content/cache' -xdev -type f -delete");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void fullBlocksAndInodesRunBothListings() {
    String dfFull = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
        + "/dev/vda1         82503656 78000000    380000     100% /\n";
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> switch (command.analyzer()) {
      case "disk-usage" -> Fixtures.exited(0, dfFull, "");
      case "large-files" -> Fixtures.exited(0, "", "");
      default -> inodeHost(command);
    });

    assertThat(incident.analyzersOfStep(2)).containsExactly("directory-inodes", "large-files");
    assertThat(draft.rootCause()).startsWith("/var/backups holds 25.0 GiB")
        .contains("/var/www/shop/wp-content/cache holds 4,917,331 of the 5,242,880 inodes");
  }

  @Test
  void sessionDirectoryGetsSessionCleanup() {
    Incident incident = new Incident(brain, Incident.alert("HostOutOfInodes", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("directory-inodes")
        ? Fixtures.exited(1, "3981220\t/var/lib/php/sessions\n3981224\t/var/lib/php\n",
            "du: cannot read directory '/var/lib/php/modules': Permission denied\n")
        : inodeHost(command));

    assertThat(draft.fixes()).extracting(Insight.Fix::command)
        .containsExactly("find '/var/lib/php/sessions' -xdev -type f -name 'sess_*' -cmin +24 -delete");
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).contains("phpsessionclean.timer"));
  }

  // ---- backups ----

  @Test
  void newestOldBackupIsKept() {
    String df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
        + "/dev/sda1        102626232 99105724    100000     100% /\n";
    String find = String.join("\n",
        "8589934592\t1725000000.0000000000\troot\t/var/backups/mysql/shop-2024-08-30.sql.gz",
        "8589934592\t1726000000.0000000000\troot\t/var/backups/mysql/shop-2024-09-10.sql.gz",
        "8589934592\t1727000000.0000000000\troot\t/var/backups/mysql/shop-2024-09-22.sql.gz") + "\n";
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> switch (command.analyzer()) {
      case "disk-usage" -> Fixtures.exited(0, df, "");
      case "inode-usage" -> Fixtures.stdout("df-i.txt");
      case "directory-sizes" -> Fixtures.exited(0, "25165836\t/var/backups/mysql\n25165840\t/var/backups\n", "");
      case "large-files" -> Fixtures.exited(0, find, "");
      default -> throw new AssertionError("unexpected command " + command.argv());
    });

    assertThat(draft.fixes()).extracting(Insight.Fix::command).containsExactly(
        "rm -- '/var/backups/mysql/shop-2024-08-30.sql.gz' '/var/backups/mysql/shop-2024-09-10.sql.gz'");
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line)
        .startsWith("Kept /var/backups/mysql/shop-2024-09-22.sql.gz (8.0 GiB, 73 days old)"));
  }

  // ---- error logs ----

  private static CommandOutput saturatedPoolHost(Brain.PlannedCommand command) {
    return switch (command.analyzer()) {
      case "load" -> Fixtures.stdout("loadavg-high.txt");
      case "memory" -> Fixtures.stdout("meminfo.txt");
      case "disk-usage" -> Fixtures.exited(0, DF_K, "");
      case "top-processes" -> Fixtures.stdout("ps-cpu.txt");
      case "log-errors" -> switch (command.argv().get(3)) {
        case "/var/log/nginx/error.log" -> Fixtures.stdout("nginx-error.txt");
        case "/var/log/php8.2-fpm.log" -> Fixtures.stdout("php-fpm-log.txt");
        default -> Fixtures.exited(1, "", "tail: cannot open '" + command.argv().get(3)
            + "' for reading: No such file or directory\n");
      };
      default -> throw new AssertionError("unexpected command " + command.argv());
    };
  }

  @Test
  void triageNamesMaxChildrenAsCause() {
    Incident incident = new Incident(brain, Incident.alert("PhpFpmMaxChildrenReached", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(NeighbourPlaybooksTest::saturatedPoolHost);

    assertThat(draft.playbook()).isEqualTo("general-triage");
    assertThat(draft.rootCause()).isEqualTo("PHP-FPM pool shop_example_com runs out of workers: it reached "
        + "pm.max_children (12) 3 times, so further requests wait in its listen queue until the web server gives up.");
    assertThat(draft.summary()).startsWith("10 things stand out: PHP-FPM pool shop_example_com reached pm.max_children "
        + "(12) 3 times in /var/log/php8.2-fpm.log; Connecting to the upstream fastcgi://unix:/run/php/php8.2-fpm-blog.sock");
    assertThat(draft.fixes()).extracting(Insight.Fix::command)
        .contains("grep -n '^pm' /etc/php/*/fpm/pool.d/*.conf", "php-fpm8.2 -t && systemctl reload php8.2-fpm");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void triageNamesTooManyConnections() {
    String nginx = "2024/12/04 11:58:01 [error] 861#861: *98765 FastCGI sent in stderr: \"PHP message: PHP Warning:  "
        + "mysqli_real_connect(): (HY000/1040): Too many connections in /var/www/shop/wp-includes/class-wpdb.php on "
        + "line 1987\" while reading response header from upstream, client: 192.0.2.44, server: shop.example.com, "
        + "request: \"GET / HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-shop.sock:\", host: \"shop.example.com\"\n";
    Incident incident = new Incident(brain, Incident.alert("MysqlTooManyConnections", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("log-errors")
        && command.argv().get(3).equals("/var/log/nginx/error.log")
        ? Fixtures.exited(0, nginx.repeat(3), "") : quietLogs(saturatedPoolHost(command), command));

    assertThat(draft.rootCause()).startsWith("MySQL reached max_connections: new connections fail with \"Too many "
        + "connections\" (error 1040)");
    assertThat(draft.summary()).contains("MySQL refused connections with \"Too many connections\" 3 times in "
        + "/var/log/nginx/error.log (server shop.example.com)");
    assertThat(draft.fixes()).extracting(Insight.Fix::command).contains("mysqladmin processlist");
    incident.assertEvidenceCitesTranscript(draft);
  }

  /** Keeps the host's output but empties the PHP-FPM log, so that only the lines a test adds name a cause. */
  private static CommandOutput quietLogs(CommandOutput output, Brain.PlannedCommand command) {
    return command.analyzer().equals("log-errors") && command.argv().get(3).endsWith("php8.2-fpm.log")
        ? Fixtures.exited(0, "", "") : output;
  }

  @Test
  void configDowntimeAddsKnownCauseAfterLogMessage() {
    Incident incident = new Incident(brain, Incident.alert("NginxUpstreamTimeout", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> {
      if (command.analyzer().equals("config-test")) {
        return switch (command.argv().get(0)) {
          case "nginx" -> Fixtures.exited(0, "", Fixtures.read("nginx-t-ok.txt"));
          case "php-fpm8.2" -> Fixtures.exited(0, "", Fixtures.read("phpfpm-t-ok.txt"));
          default -> Fixtures.exited(127, "", NOT_FOUND.formatted(command.argv().get(0)));
        };
      }
      return saturatedPoolHost(command);
    });

    assertThat(draft.playbook()).isEqualTo("config-downtime");
    assertThat(draft.rootCause()).startsWith("Not a configuration error; the logs point to: upstream timed out")
        .contains(". PHP-FPM pool shop_example_com runs out of workers");
    assertThat(draft.fixes()).extracting(Insight.Fix::command)
        .containsOnlyOnce("systemctl status php8.2-fpm --no-pager");
    incident.assertEvidenceCitesTranscript(draft);
  }

  // ---- access logs ----

  private static String accessLine(String ip, int second, String path, int status, String agent) {
    return String.format("%s - - [04/Dec/2024:11:%02d:%02d +0000] \"GET %s HTTP/1.1\" %d 5120 \"-\" \"%s\"",
        ip, second / 60, second % 60, path, status, agent);
  }

  private static CommandOutput logsHost(Brain.PlannedCommand command, String accessLog) {
    return switch (command.analyzer()) {
      case "access-log-files" -> command.argv().contains("*access.log")
          ? Fixtures.exited(0, "4096\t1733313599.0000000000\t/var/log/nginx/access.log\n", "")
          : Fixtures.exited(0, "", "");
      case "access-log-top" -> Fixtures.exited(0, accessLog, "");
      case "log-errors" -> command.argv().get(3).equals("/var/log/nginx/error.log")
          ? Fixtures.stdout("nginx-error.txt")
          : Fixtures.exited(1, "", "tail: cannot open '" + command.argv().get(3) + "' for reading: No such file or directory\n");
      default -> throw new AssertionError("unexpected command " + command.argv());
    };
  }

  @Test
  void serverErrorsLeadToErrorLogs() {
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      int status = i % 5 == 0 ? 504 : 200;
      log.append(accessLine("192.0.2." + (10 + i % 40), i, status == 504 ? "/checkout/" : "/", status, "Mozilla/5.0"))
          .append('\n');
    }
    Incident incident = new Incident(brain, Incident.alert("NginxHighHttp5xxErrorRate", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> logsHost(command, log.toString()));

    assertThat(incident.analyzersOfStep(3)).containsOnly("log-errors");
    assertThat(incident.steps.get(2)).extracting(c -> c.argv().get(3)).containsExactly(
        "/var/log/nginx/error.log", "/var/log/apache2/error.log", "/var/log/php8.2-fpm.log", "/var/log/syslog");
    assertThat(draft.summary()).startsWith("20.0% of the requests (20 of 100) got a 5xx status (504: 20).");
    assertThat(draft.rootCause()).startsWith("The upstream fastcgi://unix:/run/php/php8.2-fpm-blog.sock does not accept "
        + "connections (No such file or directory), so clients get 502 Bad Gateway. 20.0% of the requests")
        .doesNotContain("192.0.2.");
    assertThat(draft.fixes()).noneSatisfy(fix -> assertThat(fix.command()).contains("deny"));
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void fewServerErrorsSkipErrorLogs() {
    String log = accessLine("192.0.2.10", 1, "/", 200, "Mozilla/5.0") + "\n"
        + accessLine("192.0.2.11", 2, "/", 200, "Mozilla/5.0") + "\n";
    Incident incident = new Incident(brain, Incident.alert("NginxHighHttp5xxErrorRate", Map.of(), ""), analyzers);

    incident.run(command -> logsHost(command, log));

    assertThat(incident.steps).hasSize(2);
  }

  @Test
  void crawlerFromManyAddressesIsCause() {
    String crawler = "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)";
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      boolean bot = i % 10 < 6;
      String ip = bot ? "203.0.113." + (100 + i % 12) : "192.0.2." + (10 + i % 30);
      log.append(accessLine(ip, i, bot ? "/tag/linux/page/" + i + "/" : "/", 200, bot ? crawler : "Mozilla/5.0"))
          .append('\n');
    }
    Incident incident = new Incident(brain, Incident.alert("WebsiteHighTraffic", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> logsHost(command, log.toString()));

    assertThat(draft.rootCause()).startsWith("The crawler Bytespider sent 60 requests (60.0%) from 12 addresses");
    assertThat(draft.summary()).startsWith("The crawler Bytespider sent 60 requests").contains("No single address stands out.");
    assertThat(draft.fixes()).anySatisfy(fix -> assertThat(fix.description()).contains("~* \"Bytespider\""));
    assertThat(draft.fixes()).noneSatisfy(fix -> assertThat(fix.command()).contains("deny"));
    incident.assertEvidenceCitesTranscript(draft);
  }

  // ---- certificates ----

  private static CommandOutput certificateHost(Brain.PlannedCommand command) {
    if (command.analyzer().equals("certificate-files")) {
      return command.argv().contains("cert.pem")
          ? Fixtures.exited(0, "41\t1733000000.0000000000\t/etc/letsencrypt/live/shop.example.com/cert.pem\n"
              + "41\t1733000000.0000000000\t/etc/letsencrypt/live/blog.example.org/cert.pem\n", "")
          : Fixtures.exited(0, "219342\t1730000000.0000000000\t/etc/ssl/certs/ca-certificates.crt\n", "");
    }
    String file = command.argv().get(command.argv().size() - 1);
    return file.contains("shop.example.com")
        ? Fixtures.exited(0, "notAfter=Dec  9 07:41:12 2024 GMT\nsubject=CN = shop.example.com\n", "")
        : Fixtures.exited(0, "notAfter=Feb 21 03:12:40 2025 GMT\nsubject=CN = blog.example.org\n", "");
  }

  @Test
  void certificatePlaybookNamesExpiringCertificate() {
    Incident incident = new Incident(brain, Incident.alert("SslCertificateExpiringSoon", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(NeighbourPlaybooksTest::certificateHost);

    assertThat(incident.analyzersOfStep(1)).containsExactly("certificate-files", "certificate-files");
    assertThat(incident.steps.get(1)).extracting(c -> c.argv().get(6)).containsExactly(
        "/etc/letsencrypt/live/blog.example.org/cert.pem", "/etc/letsencrypt/live/shop.example.com/cert.pem");
    assertThat(draft.summary()).isEqualTo("The certificate for shop.example.com (/etc/letsencrypt/live/shop.example.com/"
        + "cert.pem) expires on 2024-12-09 07:41 UTC, in 4 days. The other 1 certificate is valid for more than 21 days.");
    assertThat(draft.rootCause()).endsWith("the automatic renewal of shop.example.com has been failing for 26 days.");
    assertThat(draft.fixes()).extracting(Insight.Fix::command).containsExactly(
        "certbot renew --cert-name 'shop.example.com' --dry-run", "certbot renew --cert-name 'shop.example.com'");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void certificatePlaybookReportsNoExpiringCertificate() {
    Incident incident = new Incident(brain, Incident.alert("SslCertificateExpiringSoon", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("certificate-expiry")
        ? Fixtures.exited(0, "notAfter=Feb 21 03:12:40 2025 GMT\nsubject=CN = x\n", "")
        : certificateHost(command));

    assertThat(draft.summary()).startsWith("No certificate expires within 21 days");
    assertThat(draft.rootCause()).startsWith("Not found on this host");
    assertThat(draft.fixes()).isEmpty();
  }

  @Test
  void certificatePlaybookReportsUnreadableDirectory() {
    Incident incident = new Incident(brain, Incident.alert("SslCertificateExpiringSoon", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> Fixtures.exited(1, "",
        "find: \u2018/etc/letsencrypt/live\u2019: Permission denied\n"));

    assertThat(incident.steps).hasSize(1);
    assertThat(draft.rootCause()).isEqualTo("Unknown: no certificate of this host could be read.");
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).contains("Permission denied").contains("ACL"));
  }

  // ---- processes ----

  @Test
  void overlappingWpCronRunsAreStopped() {
    String ps = "    PID USER     %CPU %MEM   RSS ELAPSED COMMAND\n"
        + "2210402 shop     98.7  2.5 200358   2691 php /var/www/shop/wp-cron.php\n"
        + "2219733 shop     97.9  2.6 208742   1791 php /var/www/shop/wp-cron.php\n"
        + "2210401 shop      0.0  0.0  1588   2691 /bin/sh -c php /var/www/shop/wp-cron.php >/dev/null 2>&1\n";
    Incident incident = new Incident(brain, Incident.alert("HostHighCpuLoad", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> switch (command.analyzer()) {
      case "top-processes" -> Fixtures.exited(0, ps, "");
      case "load" -> Fixtures.stdout("loadavg-high.txt");
      case "memory" -> Fixtures.stdout("meminfo.txt");
      default -> throw new AssertionError("unexpected command " + command.argv());
    });

    assertThat(draft.fixes()).extracting(Insight.Fix::command).containsExactly("kill -TERM 2210402 2219733");
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).contains("flock -n"));
    assertThat(draft.fixes()).noneSatisfy(fix -> assertThat(fix.command()).contains("/etc/cron.d"));
  }

  @Test
  void memoryAlertOnMysqlShowsBufferPool() {
    Incident incident = new Incident(brain, Incident.alert("HostOutOfMemory", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> switch (command.analyzer()) {
      case "top-processes" -> Fixtures.stdout(command.argv().contains("--sort=-rss") ? "ps-rss.txt" : "ps-cpu.txt");
      case "load" -> Fixtures.stdout("loadavg-high.txt");
      case "memory" -> Fixtures.stdout("meminfo.txt");
      default -> throw new AssertionError("unexpected command " + command.argv());
    });

    assertThat(draft.fixes()).extracting(Insight.Fix::command)
        .contains("mysql -e 'SELECT @@innodb_buffer_pool_size DIV 1048576 AS buffer_pool_mib, @@max_connections'");
    assertThat(List.copyOf(draft.remediation())).anySatisfy(line -> assertThat(line).contains("SET GLOBAL innodb_buffer_pool_size"));
  }
}
