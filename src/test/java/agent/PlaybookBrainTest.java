package agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import fleet.CommandOutput;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaybookBrainTest {

  private final Analyzers analyzers = Fixtures.analyzers();
  private final PlaybookBrain brain = PlaybookBrain.fromConfig(Fixtures.fleetSre(), analyzers, Fixtures.CLOCK);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "HostDiskFull,                    disk-space",
      "NodeFilesystemAlmostOutOfSpace,  disk-space",
      "NodeFilesystemSpaceFillingUp,    disk-space",
      "DiskUsageCritical,               disk-space",
      "NodeFilesystemFilesFillingUp,    disk-space",
      "HostOutOfInodes,                 disk-space",
      "HighRequestRate,                 excessive-requests",
      "NginxHighHttp5xxErrorRate,       excessive-requests",
      "DDoSSuspected,                   excessive-requests",
      "BadBotTraffic,                   excessive-requests",
      "HttpLatencyHigh,                 excessive-requests",
      "NginxDown,                       config-downtime",
      "ApacheDown,                      config-downtime",
      "PhpFpmDown,                      config-downtime",
      "SiteDown,                        config-downtime",
      "Http502BadGateway,               config-downtime",
      "ServiceDown,                     config-downtime",
      "NginxConfigReloadFailed,         config-downtime",
      "HostHighCpuLoad,                 resource-hogs",
      "HostOutOfMemory,                 resource-hogs",
      "HostOomKillDetected,             resource-hogs",
      "HostSwapIsFillingUp,             resource-hogs",
      "TooManyProcesses,                resource-hogs",
      "MysqlReplicationLag,             general-triage",
      "Watchdog,                        general-triage",
  })
  void selectsPlaybookByAlertName(String alertname, String playbook) {
    assertThat(brain.selectPlaybook(Incident.alert(alertname, Map.of(), ""))).isEqualTo(playbook);
  }

  @Test
  void selectsBySummaryAndLabels() {
    assertThat(brain.selectPlaybook(Incident.alert("CustomCheck", Map.of(), "No space left on /var"))).isEqualTo("disk-space");
    assertThat(brain.selectPlaybook(Incident.alert("CustomCheck", Map.of(), "shop.example.com is down"))).isEqualTo("config-downtime");

    var config = ConfigFactory.parseString(
        "playbooks.rules = [{ playbook = resource-hogs, labels { team = \"^db$\" } }]").withFallback(Fixtures.fleetSre());
    PlaybookBrain labelled = PlaybookBrain.fromConfig(config, analyzers, Fixtures.CLOCK);
    assertThat(labelled.selectPlaybook(Incident.alert("Anything", Map.of("team", "db"), ""))).isEqualTo("resource-hogs");
    assertThat(labelled.selectPlaybook(Incident.alert("Anything", Map.of("team", "web"), ""))).isEqualTo("general-triage");
    assertThat(labelled.selectPlaybook(Incident.alert("Anything", Map.of(), ""))).isEqualTo("general-triage");
  }

  @Test
  void diskSpaceEndToEnd() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of("mountpoint", "/"), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::diskHost);

    assertThat(incident.analyzersOfStep(1)).containsExactly("disk-usage", "inode-usage", "directory-sizes");
    assertThat(incident.analyzersOfStep(2)).containsExactly("large-files");
    assertThat(incident.steps.get(1).get(0).argv()).containsExactly("find", "/var/log", "/var/www", "/var/backups",
        "/var/cache", "/home", "/tmp", "/srv", "-xdev", "-type", "f", "-size", "+10240k", "-printf", "%s\\t%T@\\t%u\\t%p\\n");
    assertThat(draft.playbook()).isEqualTo("disk-space");
    assertThat(draft.status()).isEqualTo("complete");
    assertThat(draft.summary()).contains("Filesystem / (/dev/sda1) is 97% full")
        .contains("/var/www/shop/wp-content/cache (30.0 GiB)")
        .contains("can be reclaimed by deleting");
    assertThat(draft.rootCause()).startsWith("/var/www/shop/wp-content/cache holds 30.0 GiB of the 89.7 GiB used on /");
    assertThat(draft.fixes()).anySatisfy(fix -> assertThat(fix.command())
        .isEqualTo("rm -- '/var/backups/mysql/shop-2024-11-08.sql.gz'"));
    assertThat(draft.fixes()).anySatisfy(fix -> assertThat(fix.command())
        .isEqualTo("truncate -s 0 '/var/log/php8.2-fpm/shop-slow.log'"));
    assertThat(draft.fixes()).anySatisfy(fix -> assertThat(fix.command()).isEqualTo("journalctl --vacuum-size=500M"));
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).startsWith("Do not delete these protected files")
        .contains("/var/lib/mysql/ibdata1").contains("/var/www/shop/wp-content/uploads/2024/06/product-video.mp4"));
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).contains("PURGE BINARY LOGS"));
    assertThat(draft.kbLinks()).extracting(Insight.KbLink::url)
        .contains("https://manpages.debian.org/bookworm/logrotate/logrotate.8.en.html");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void diskSpaceReclaimableMatchesFixes() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::diskHost);

    // rotated logs 1.5 GiB + 100 MiB + 50 MiB + 40 MiB + 20 MiB, caches 3 + 2 + 1000 MiB + 100 MiB,
    // the core dump 700 MiB and the 8 GiB old backup.
    long expected = 1610612736L + 104857600L + 52428800L + 41943040L + 20971520L
        + 3221225472L + 2147483648L + 1048576000L + 104857600L + 734003200L + 8589934592L;
    assertThat(draft.summary()).contains(Shell.size(expected) + " can be reclaimed by deleting 11 files");
    assertThat(draft.rootCause()).endsWith("11 deletable files hold " + Shell.size(expected) + " in total.");
  }

  @Test
  void noFixRemovesProtectedPath() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);
    InsightDraft draft = incident.run(PlaybookBrainTest::diskHost);
    FileClassifier classifier = new FileClassifier(Fixtures.profile());
    Pattern quoted = Pattern.compile("'((?:[^']|'\\\\'')*)'");

    for (Insight.Fix fix : draft.fixes()) {
      Matcher m = quoted.matcher(fix.command());
      while (m.find()) {
        String path = m.group(1).replace("'\\''", "'");
        FileClassifier.Classification verdict = classifier.classify(path, 0, Fixtures.NOW);
        if (fix.command().startsWith("rm ")) {
          assertThat(verdict.deletable()).as("rm of %s", path).isTrue();
        } else if (fix.command().startsWith("truncate ")) {
          assertThat(verdict.category()).as("truncate of %s", path).isEqualTo(FileClassifier.ACTIVE_LOG);
        }
      }
    }
    assertThat(draft.fixes()).noneSatisfy(fix -> assertThat(fix.command())
        .containsAnyOf("/var/lib/mysql", "wp-content/uploads", "storage/app", ".php'", "old-site-2023.zip",
            "shop-2024-12-03.sql.gz", "node-v20.tar.xz"));
  }

  @Test
  void hostileFileListGetsNoRm() {
    String find = String.join("\n",
        "900000000\t1733000000.0\tmysql\t/var/lib/mysql/ib_logfile0",
        "800000000\t1700000000.0\tmysql\t/var/lib/mysql/backup.sql.gz",
        "700000000\t1700000000.0\twww-data\t/var/www/shop/wp-content/uploads/2020/old.tar.gz",
        "600000000\t1700000000.0\twww-data\t/var/www/shop/wp-content/uploads/cache/x.log.1",
        "500000000\t1700000000.0\twww-data\t/var/www/shop/index.php",
        "400000000\t1700000000.0\twww-data\t/var/www/blog/storage/app/export.zip",
        "300000000\t1733313000.0\troot\t/var/log/nginx/it's.log.1") + "\n";
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("large-files")
        ? Fixtures.exited(0, find, "") : diskHost(command));

    List<String> rmCommands = draft.fixes().stream().map(Insight.Fix::command).filter(c -> c.startsWith("rm ")).toList();
    assertThat(rmCommands).containsExactly("rm -- '/var/log/nginx/it'\\''s.log.1'");
  }

  @Test
  void diskBelowFullSaysConditionDoesNotHold() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of("mountpoint", "/"), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("disk-usage")
        ? Fixtures.exited(0, "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
            + "/dev/sda1        100000000 23000000  77000000      23% /\n", "")
        : diskHost(command));

    assertThat(draft.summary()).contains("is 23% full").contains("does not hold now");
  }

  @Test
  void fullDiskSaysNothingAboutCondition() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of("mountpoint", "/"), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::diskHost);

    assertThat(draft.summary()).contains("97% full").doesNotContain("does not hold now");
  }

  @Test
  void aptPackagesGetAptGetClean() {
    String find = String.join("\n",
        "90000000\t1733000000.0\troot\t/var/cache/apt/archives/linux-image-6.1.0-53-cloud-amd64_6.1.187-1_amd64.deb",
        "60000000\t1733000000.0\troot\t/var/cache/apt/archives/chromium_155.0_amd64.deb",
        "50000000\t1733000000.0\troot\t/var/cache/nginx/fastcgi/1/ab/cachefile") + "\n";
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("large-files")
        ? Fixtures.exited(0, find, "") : diskHost(command));

    List<String> commands = draft.fixes().stream().map(Insight.Fix::command).toList();
    assertThat(commands).contains("apt-get clean");
    assertThat(commands).contains("rm -- '/var/cache/nginx/fastcgi/1/ab/cachefile'");
    assertThat(commands).noneSatisfy(command -> assertThat(command).contains(".deb"));
    assertThat(draft.summary()).contains("by deleting 3 files");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void excessiveRequestsEndToEnd() {
    Incident incident = new Incident(brain, Incident.alert("HighRequestRate", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::webHost);

    assertThat(incident.analyzersOfStep(1)).containsExactly("access-log-files", "access-log-files");
    assertThat(incident.steps.get(0).get(1).argv()).contains("*access_log");
    assertThat(incident.steps.get(1)).extracting(c -> c.argv().get(3)).containsExactly(
        "/var/log/nginx/access.log", "/var/log/nginx/staging/access.log", "/var/log/nginx/shop.example.com.access.log");
    assertThat(incident.steps.get(1).get(0).argv()).containsExactly("tail", "-n", "20000", "/var/log/nginx/access.log");
    assertThat(draft.status()).isEqualTo("complete");
    assertThat(draft.summary()).startsWith("Client 203.0.113.45 sent 46.5% of the requests in the last 20 minutes")
        .contains("mostly to /xmlrpc.php on /var/log/nginx/access.log")
        .contains("Abused paths: /xmlrpc.php, /wp-login.php, /.env")
        .contains("Known bots: python-requests, AhrefsBot");
    assertThat(draft.rootCause()).startsWith("203.0.113.45 sends 472 requests");
    assertThat(draft.fixes()).anySatisfy(fix -> {
      assertThat(fix.command()).isEqualTo(
          "echo 'deny 203.0.113.45;' >> /etc/nginx/conf.d/blocklist.conf && nginx -t && systemctl reload nginx");
      assertThat(fix.risk()).isEqualTo("medium");
    });
    assertThat(draft.fixes()).anySatisfy(fix -> assertThat(fix.description()).contains("location = /xmlrpc.php"));
    assertThat(draft.fixes()).anySatisfy(fix -> assertThat(fix.description()).contains("limit_req"));
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).contains("fail2ban"));
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).startsWith("Noted, usually legitimate: /wp-admin/admin-ajax.php"));
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void isIpRejectsHostileText() {
    assertThat(ExcessiveRequestsPlaybook.isIp("203.0.113.45")).isTrue();
    assertThat(ExcessiveRequestsPlaybook.isIp("2001:db8::1")).isTrue();
    assertThat(ExcessiveRequestsPlaybook.isIp("1.2.3.4;rm")).isFalse();
    assertThat(ExcessiveRequestsPlaybook.isIp("999.1.1.1")).isFalse();
    assertThat(ExcessiveRequestsPlaybook.isIp("-")).isFalse();
  }

  @Test
  void configDowntimeEndToEnd() {
    Incident incident = new Incident(brain, Incident.alert("NginxDown", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::brokenNginxHost);

    assertThat(incident.steps).hasSize(1);
    assertThat(incident.steps.get(0)).extracting(Brain.PlannedCommand::argv).containsExactly(
        List.of("apache2ctl", "-t"), List.of("nginx", "-t"), List.of("php-fpm8.2", "-t"));
    assertThat(draft.status()).isEqualTo("complete");
    assertThat(draft.summary()).startsWith("nginx cannot start or reload: its configuration test fails at "
        + "/etc/nginx/sites-enabled/shop.example.com:42 (unknown directive \"proxy_buffer\")")
        .contains("Not installed: apache");
    assertThat(draft.rootCause()).isEqualTo("Line 42 of /etc/nginx/sites-enabled/shop.example.com: "
        + "unknown directive \"proxy_buffer\" (directive proxy_buffer).");
    assertThat(draft.fixes()).extracting(Insight.Fix::command).containsExactly(
        "sensible-editor +42 '/etc/nginx/sites-enabled/shop.example.com'",
        "nginx -t && systemctl reload-or-restart nginx");
    assertThat(draft.evidence()).anySatisfy(e -> assertThat(e.claim()).isEqualTo("apache is not installed (apache2ctl -t was not found)"));
    assertThat(draft.evidence()).anySatisfy(e -> assertThat(e.claim()).isEqualTo("The php-fpm configuration test passes"));
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void configDowntimeReadsLogsWhenTestsPass() {
    Incident incident = new Incident(brain, Incident.alert("SiteDown", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> {
      if (command.analyzer().equals("config-test")) {
        return switch (command.argv().get(0)) {
          case "nginx" -> Fixtures.exited(0, "", Fixtures.read("nginx-t-ok.txt"));
          case "php-fpm8.2" -> Fixtures.exited(0, "", Fixtures.read("phpfpm-t-ok.txt"));
          default -> Fixtures.exited(127, "", "bash: line 1: apache2ctl: command not found\n");
        };
      }
      String file = command.argv().get(3);
      return file.contains("nginx") ? Fixtures.stdout("nginx-error.txt") : Fixtures.stdout("php-fpm-log.txt");
    });

    assertThat(incident.analyzersOfStep(2)).containsOnly("log-errors");
    assertThat(incident.steps.get(1)).extracting(c -> c.argv().get(3))
        .containsExactly("/var/log/nginx/error.log", "/var/log/php8.2-fpm.log");
    assertThat(draft.summary()).contains("The configuration tests pass (nginx, php-fpm)")
        .contains("Most frequent message in /var/log/php8.2-fpm.log: [pool shop_example_com] server reached pm.max_children");
    assertThat(draft.rootCause()).startsWith("Not a configuration error; the logs point to: upstream timed out");
    assertThat(draft.fixes()).extracting(Insight.Fix::command).contains("systemctl status nginx --no-pager");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void resourceHogsNamesPool() {
    Incident incident = new Incident(brain, Incident.alert("HostHighCpuLoad", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::busyHost);

    assertThat(incident.analyzersOfStep(1)).containsExactly("top-processes", "top-processes", "load", "memory");
    assertThat(incident.steps.get(0).get(1).argv()).contains("--sort=-rss");
    assertThat(draft.summary()).startsWith("The top CPU user is shop_example_com with 5 processes; the single largest "
        + "is PID 412877 (php-fpm: pool shop_example_com; user shop_ex+, site shop_example_com, php-fpm-pool, "
        + "service php-fpm) at 96.4% CPU")
        .contains("Load average 14.62 / 11.31 / 7.08");
    assertThat(draft.rootCause()).startsWith("shop_example_com: 5 processes use 277.1% CPU");
    assertThat(draft.fixes()).extracting(Insight.Fix::command)
        .contains("grep -n 'pm.max_children' /etc/php/*/fpm/pool.d/*.conf", "systemctl reload php8.2-fpm");
    assertThat(draft.fixes()).noneSatisfy(fix -> assertThat(fix.command()).startsWith("kill"));
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line).startsWith("Swap is 85.1% used"));
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void resourceHogsMemoryAlertNamesDatabase() {
    Incident incident = new Incident(brain, Incident.alert("HostOutOfMemory", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::busyHost);

    assertThat(draft.summary()).startsWith("The top memory user is PID 1187 (/usr/sbin/mariadbd; user mysql, service mysql)");
    assertThat(draft.fixes()).extracting(Insight.Fix::command).contains("mysqladmin processlist");
  }

  @Test
  void resourceHogsKillsRunawayScript() {
    String ps = "    PID USER     %CPU %MEM   RSS ELAPSED COMMAND\n"
        + " 52011 deploy   99.0  3.2 260112   7200 /usr/bin/php8.2 /var/www/shop/wp-cron.php\n"
        + "  1187 mysql     4.0 18.3 1487232 2764812 /usr/sbin/mariadbd\n";
    Incident incident = new Incident(brain, Incident.alert("HostHighCpuLoad", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("top-processes")
        ? Fixtures.exited(0, ps, "") : busyHost(command));

    assertThat(draft.rootCause()).startsWith("PID 52011 (/usr/bin/php8.2 /var/www/shop/wp-cron.php; user deploy, site shop, wp-cron)");
    assertThat(draft.fixes()).extracting(Insight.Fix::command).contains(
        "echo \"*/5 * * * * $(stat -c %U '/var/www/shop/wp-cron.php') php '/var/www/shop/wp-cron.php' >/dev/null 2>&1\" "
            + "> '/etc/cron.d/wp-cron-shop'",
        "kill -TERM 52011");
  }

  @Test
  void generalTriageReportsWhatStandsOut() {
    Incident incident = new Incident(brain, Incident.alert("Watchdog", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::triageHost);

    assertThat(incident.analyzersOfStep(1)).containsExactly("load", "memory", "disk-usage", "top-processes",
        "log-errors", "log-errors", "log-errors", "log-errors");
    assertThat(draft.playbook()).isEqualTo("general-triage");
    assertThat(draft.summary()).contains("Load average 14.62 over the last minute")
        .contains("Only 5.1% of memory is available")
        .contains("Swap is 85.1% used")
        .contains("Filesystem / is 97% full")
        .contains("PID 412877")
        .doesNotContain("/snap");
    assertThat(draft.remediation()).contains("Not present on this host, skipped: /var/log/apache2/error.log.");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void quietHostTriageCitesItsReadings() {
    Incident incident = new Incident(brain, Incident.alert("Watchdog", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> switch (command.analyzer()) {
      case "load" -> Fixtures.exited(0, "0.08 0.12 0.10 1/312 40211\n", "");
      case "memory" -> Fixtures.exited(0, "MemTotal:        8000000 kB\nMemFree:         4000000 kB\n"
          + "MemAvailable:    6000000 kB\nSwapTotal:       0 kB\nSwapFree:        0 kB\n", "");
      case "disk-usage" -> Fixtures.exited(0, "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
          + "/dev/sda1        100000000 20000000  80000000      20% /\n", "");
      case "top-processes" -> Fixtures.exited(0, "    PID USER     %CPU %MEM   RSS ELAPSED COMMAND\n"
          + "      1 root      0.0  0.1  1000  100000 /sbin/init\n", "");
      default -> Fixtures.exited(1, "", "tail: cannot open 'x' for reading: No such file or directory\n");
    });

    assertThat(draft.summary()).startsWith("Nothing stands out");
    assertThat(draft.evidence()).hasSize(3);
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void mustConcludeGivesPartial() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);
    Brain.RunCommands first = (Brain.RunCommands) brain.decide(incident.view(false, ""));
    incident.execute(first.commands(), PlaybookBrainTest::diskHost);

    Brain.Decision decision = brain.decide(incident.view(true, "the time budget of 120 s ran out"));

    InsightDraft draft = ((Brain.Conclude) decision).draft();
    assertThat(draft.status()).isEqualTo("partial");
    assertThat(draft.summary()).startsWith("Partial investigation (the time budget of 120 s ran out).")
        .contains("/var/www/shop/wp-content/cache")
        .contains("Large files were not listed");
  }

  @Test
  void unreachableHostFails() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);
    Brain.RunCommands first = (Brain.RunCommands) brain.decide(incident.view(false, ""));
    incident.execute(first.commands(), command -> CommandOutput.failed(CommandOutput.Outcome.UNREACHABLE,
        "connect timed out", Duration.ofSeconds(10)));

    InsightDraft draft = ((Brain.Conclude) brain.decide(incident.view(true, "host unreachable"))).draft();

    assertThat(draft.status()).isEqualTo("failed");
    assertThat(draft.summary()).isEqualTo("The host could not be investigated: every command of step 1 failed to "
        + "reach the host (unreachable: connect timed out).");
    assertThat(draft.fixes()).isEmpty();
    assertThat(draft.remediation().get(0)).isEqualTo("Check that the host is up and reachable over SSH from fleet-sre.");
    incident.assertEvidenceCitesTranscript(draft);
  }

  @Test
  void rejectedCommandsAreReported() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> command.analyzer().equals("directory-sizes")
        ? null : diskHost(command));

    assertThat(draft.status()).isEqualTo("complete");
    assertThat(incident.transcript).anySatisfy(e -> assertThat(e.status()).isEqualTo("rejected"));
    assertThat(draft.remediation()).anySatisfy(line -> assertThat(line)
        .startsWith("Not run, rejected by the command policy: du -x -k -d 3 /var/log")
        .endsWith(": argument /srv is not allowed"));
    assertThat(draft.evidence()).anySatisfy(e -> assertThat(e.excerpt()).isEqualTo("argument /srv is not allowed"));
  }

  @Test
  void allRejectedFails() {
    Incident incident = new Incident(brain, Incident.alert("NginxDown", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(command -> null);

    assertThat(draft.status()).isEqualTo("failed");
    assertThat(draft.summary()).contains("no diagnostic command ran to completion (3 rejected)");
    assertThat(draft.remediation().get(0)).startsWith("Review the command policy");
  }

  @Test
  void stepLimitGivesPartial() {
    var config = ConfigFactory.parseString("playbooks.max-steps = 1").withFallback(Fixtures.fleetSre());
    PlaybookBrain oneStep = PlaybookBrain.fromConfig(config, analyzers, Fixtures.CLOCK);
    Incident incident = new Incident(oneStep, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);

    InsightDraft draft = incident.run(PlaybookBrainTest::diskHost);

    assertThat(incident.steps).hasSize(1);
    assertThat(draft.status()).isEqualTo("partial");
    assertThat(draft.summary()).startsWith("Partial investigation (the step limit was reached (max-steps = 1)).");
  }

  @Test
  void decisionsDependOnlyOnView() {
    Incident incident = new Incident(brain, Incident.alert("HostDiskFull", Map.of(), ""), analyzers);
    Brain.RunCommands first = (Brain.RunCommands) brain.decide(incident.view(false, ""));
    incident.execute(first.commands(), PlaybookBrainTest::diskHost);
    PlaybookBrain fresh = PlaybookBrain.fromConfig(Fixtures.fleetSre(), analyzers, Fixtures.CLOCK);

    assertThat(fresh.decide(incident.view(false, ""))).isEqualTo(brain.decide(incident.view(false, "")));
    assertThat(brain.decide(incident.view(false, ""))).isEqualTo(brain.decide(incident.view(false, "")));
  }

  @Test
  void fromConfigFallsBackToShippedFiles() {
    PlaybookBrain defaults = PlaybookBrain.fromConfig(ConfigFactory.empty(), analyzers, Fixtures.CLOCK);

    assertThat(defaults.name()).isEqualTo("playbook");
    assertThat(defaults.selectPlaybook(Incident.alert("HostDiskFull", Map.of(), ""))).isEqualTo("disk-space");
  }

  // Recorded hosts, also used by InsightSchemaTest. A null output means the command policy rejected the command.

  static CommandOutput diskHost(Brain.PlannedCommand command) {
    return switch (command.analyzer()) {
      case "disk-usage" -> Fixtures.stdout("df-k.txt");
      case "inode-usage" -> Fixtures.stdout("df-i.txt");
      case "directory-sizes" -> Fixtures.exited(1, Fixtures.read("du-stdout.txt"), Fixtures.read("du-stderr.txt"));
      case "large-files" -> Fixtures.exited(1, Fixtures.read("find-large.txt"), Fixtures.read("find-large-stderr.txt"));
      default -> throw new AssertionError("unexpected command " + command.argv());
    };
  }

  static CommandOutput webHost(Brain.PlannedCommand command) {
    if (command.analyzer().equals("access-log-files")) {
      return command.argv().contains("*access.log")
          ? Fixtures.exited(1, Fixtures.read("find-access-logs.txt"), "find: ‘/var/log/apache2’: No such file or directory\n")
          : Fixtures.exited(1, "", "find: ‘/var/log/apache2’: No such file or directory\n");
    }
    String file = command.argv().get(3);
    return file.equals("/var/log/nginx/access.log")
        ? Fixtures.stdout("access-nginx.txt")
        : Fixtures.exited(0, "192.0.2.10 - - [04/Dec/2024:11:59:00 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n", "");
  }

  static CommandOutput brokenNginxHost(Brain.PlannedCommand command) {
    return switch (command.argv().get(0)) {
      case "nginx" -> Fixtures.exited(1, "", Fixtures.read("nginx-t-fail.txt"));
      case "php-fpm8.2" -> Fixtures.exited(0, "", Fixtures.read("phpfpm-t-ok.txt"));
      default -> Fixtures.exited(127, "", "bash: line 1: apache2ctl: command not found\n");
    };
  }

  static CommandOutput busyHost(Brain.PlannedCommand command) {
    return switch (command.analyzer()) {
      case "top-processes" -> Fixtures.stdout(command.argv().contains("--sort=-rss") ? "ps-rss.txt" : "ps-cpu.txt");
      case "load" -> Fixtures.stdout("loadavg-high.txt");
      case "memory" -> Fixtures.stdout("meminfo.txt");
      default -> throw new AssertionError("unexpected command " + command.argv());
    };
  }

  static CommandOutput triageHost(Brain.PlannedCommand command) {
    if (command.analyzer().equals("log-errors")) {
      String file = command.argv().get(3);
      return switch (file) {
        case "/var/log/nginx/error.log" -> Fixtures.stdout("nginx-error.txt");
        case "/var/log/php8.2-fpm.log" -> Fixtures.stdout("php-fpm-log.txt");
        case "/var/log/syslog" -> Fixtures.stdout("syslog.txt");
        default -> Fixtures.exited(1, "", "tail: cannot open '" + file + "' for reading: No such file or directory\n");
      };
    }
    if (command.analyzer().equals("disk-usage")) {
      return Fixtures.stdout("df-k.txt");
    }
    return busyHost(command);
  }
}
