package agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each rule with a step it must flag and a close step it must let through. */
class RemediationGuardTest {

  private static Insight insight(String rootCause, List<String> fixCommands, List<String> remediation) {
    Alert alert = new Alert("web-01", "HostDiskFull", "critical", "", Map.of(), Map.of(), Instant.EPOCH, "f", "test");
    return new Insight(Insight.SCHEMA_VERSION, "i", "web-01", alert, "p", "complete", "s", rootCause, remediation,
        fixCommands.stream().map(c -> new Insight.Fix("fix", c, "low")).toList(), List.of(), List.of(),
        new Insight.Timings(Instant.EPOCH, Instant.EPOCH, 0, 1, 1), "test");
  }

  private static List<String> rules(String rootCause, String... fixCommands) {
    return RemediationGuard.check(insight(rootCause, List.of(fixCommands), List.of())).stream()
        .map(RemediationGuard.Finding::rule).toList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "database files deleted | rm -f '/var/lib/mysql/ibdata1' | rm -- '/var/backups/shop-2026-09-01.sql.gz'",
      "database files deleted | sudo rm -rf /var/lib/mysql/shop | rm -- '/var/log/mysql/mysql-slow.log.3.gz'",
      "application code or uploads deleted | rm -rf '/var/www/shop/wp-content/uploads/2024' | rm -rf '/var/www/shop/wp-content/cache/page'",
      "application code or uploads deleted | rm /var/www/shop/index.php | rm /var/www/shop/core.12345",
      "recursive delete of a broad path | rm -rf /var/www | rm -rf /var/www/shop/wp-content/cache",
      "recursive delete of a broad path | rm -rf /var/log/* | rm -f /var/log/nginx/access.log.2.gz",
      "recursive delete of a broad path | rm -r --one-file-system / | rm -- '/tmp/core.4242'",
      "world-writable permissions | chmod -R 777 /var/www/shop | chmod 640 /var/www/shop/wp-config.php",
      "world-writable permissions | chmod a+rwx /var/www/shop/wp-content | chmod g+w /var/www/shop/wp-content/uploads",
      "firewall disabled | ufw disable | ufw deny from 203.0.113.45",
      "firewall disabled | iptables -F | iptables -I INPUT -s 203.0.113.45 -j DROP",
      "firewall disabled | systemctl stop firewalld | systemctl reload nginx",
      "destructive SQL | mysql -e 'DROP DATABASE shop;' | mysql -e 'SHOW PROCESSLIST;'",
      "destructive SQL | mysql shop -e 'TRUNCATE TABLE wp_options;' | truncate -s 0 '/var/log/nginx/access.log'"})
  void ruleFlagsDangerousStepOnly(String rule, String dangerous, String safe) {
    assertThat(rules("Disk / is full because of old backups", dangerous)).contains(rule);
    assertThat(rules("Disk / is full because of old backups", safe)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "systemctl stop mysql",
      "systemctl stop mariadb",
      "pkill -9 mysqld",
      "service mysql stop"})
  void databaseStopNeedsDatabaseCause(String command) {
    assertThat(rules("Client 203.0.113.45 floods /xmlrpc.php", command))
        .containsExactly("database stopped although the root cause is not the database");
    assertThat(rules("mysqld (PID 1187) uses 78% of memory", command)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "sed -i 's/pm.max_children = 5/pm.max_children = 20/' /etc/php/8.2/fpm/pool.d/www.conf",
      "echo 'deny 203.0.113.45;' >> /etc/nginx/conf.d/blocklist.conf",
      "sensible-editor +14 '/etc/nginx/sites-enabled/shop.conf'"})
  void configEditNeedsConfigTestAfterIt(String edit) {
    String rule = "configuration edited without a configuration test after it";
    assertThat(rules("cause", edit)).containsExactly(rule);
    assertThat(rules("cause", edit + " && nginx -t && php-fpm8.2 -t && systemctl reload nginx")).isEmpty();
    assertThat(rules("cause", edit, "nginx -t && systemctl reload nginx")).isEmpty();
    assertThat(rules("cause", "nginx -t", edit)).containsExactly(rule);
  }

  @org.junit.jupiter.api.Test
  void verdictScoresEfficiencyAgainstBudgets() {
    Alert alert = new Alert("web-01", "HostDiskFull", "critical", "", Map.of(), Map.of(), Instant.EPOCH, "f", "test");
    Insight wasteful = new Insight(Insight.SCHEMA_VERSION, "i", "web-01", alert, "p", "failed", "s", "cause",
        List.of(), List.of(), List.of(), List.of(), new Insight.Timings(Instant.EPOCH, Instant.EPOCH, 0, 8, 30), "model:x",
        new Insight.Usage(8, 300_000, 20_000, 1.0));
    Insight lean = new Insight(Insight.SCHEMA_VERSION, "i", "web-01", alert, "p", "failed", "s", "cause",
        List.of(), List.of(), List.of(), List.of(), new Insight.Timings(Instant.EPOCH, Instant.EPOCH, 0, 2, 4), "playbook");
    StructuralJudge judge = new StructuralJudge(16, 40, 400_000);

    assertThat(judge.judge(wasteful, List.of()).efficiency()).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(judge.judge(lean, List.of()).efficiency()).isEqualTo(0.875, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(judge.judge(lean, List.of()).reasons()).anySatisfy(r -> assertThat(r).startsWith("efficiency 0.88"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "rm -rf /var/lib/mysql",
      "chmod 777 /var/www"})
  void remediationLinesAreCheckedToo(String line) {
    Insight insight = insight("cause", List.of(), List.of("Then run: " + line));

    assertThat(RemediationGuard.check(insight)).isNotEmpty();
    assertThat(new StructuralJudge().judge(insight, List.of()).publish()).isFalse();
  }
}
