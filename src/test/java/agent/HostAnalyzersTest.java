package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostAnalyzersTest {

  private final StackProfile profile = Fixtures.profile();
  private final TopProcessesAnalyzer processes = new TopProcessesAnalyzer(profile);

  @Test
  void topProcessesRendersSort() {
    assertThat(processes.render(null, profile))
        .containsExactly("ps", "-eo", "pid,user,pcpu,pmem,rss,etimes,args", "--sort=-pcpu");
    assertThat(processes.render(Json.object().put("sort", "-rss"), profile))
        .containsExactly("ps", "-eo", "pid,user,pcpu,pmem,rss,etimes,args", "--sort=-rss");
    assertThatThrownBy(() -> processes.render(Json.object().put("sort", "-pcpu;reboot"), profile))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void topProcessesParsesColumns() {
    JsonNode findings = processes.parse(Fixtures.stdout("ps-cpu.txt"));

    JsonNode first = findings.get("processes").get(0);
    assertThat(first.get("pid").asLong()).isEqualTo(412877L);
    assertThat(first.get("user").asText()).isEqualTo("shop_ex+");
    assertThat(first.get("cpuPercent").asDouble()).isEqualTo(96.4);
    assertThat(first.get("memPercent").asDouble()).isEqualTo(2.1);
    assertThat(first.get("rssKb").asLong()).isEqualTo(174212L);
    assertThat(first.get("elapsedSeconds").asLong()).isEqualTo(842L);
    assertThat(first.get("command").asText()).isEqualTo("php-fpm: pool shop_example_com");
    assertThat(findings.get("processesSeen").asInt()).isEqualTo(16);
    assertThat(findings.get("ownListingSkipped").asInt()).isEqualTo(1);
  }

  @Test
  void topProcessesSkipsOwnListing() {
    String stdout = String.join("\n",
        "    PID USER     %CPU %MEM   RSS ELAPSED COMMAND",
        " 520001 diag      100  0.0  3520       0 ps -eo pid,user,pcpu,pmem,rss,etimes,args --sort=-pcpu",
        " 520000 diag     50.0  0.0  1612       0 sh -c ps -eo pid,user,pcpu,pmem,rss,etimes,args --sort=\"$1\" | head -n \"$2\" _ -pcpu 25",
        " 414100 www-data 97.5  1.1 88120     912 php /var/www/shop/wp-cron.php",
        " 415000 www-data  0.1  0.0  1200      40 ps aux") + "\n";

    JsonNode findings = processes.parse(Fixtures.exited(0, stdout, ""));

    JsonNode first = findings.get("processes").get(0);
    assertThat(first.get("pid").asLong()).isEqualTo(414100L);
    assertThat(findings.get("processesSeen").asInt()).isEqualTo(2);
    assertThat(findings.get("ownListingSkipped").asInt()).isEqualTo(2);
  }

  @Test
  void topProcessesMapsApplicationsAndServices() {
    List<JsonNode> list = Json.elements(processes.parse(Fixtures.stdout("ps-cpu.txt")).get("processes"));

    assertThat(byPid(list, 412877).get("application").asText()).isEqualTo("shop_example_com");
    assertThat(byPid(list, 412877).get("kind").asText()).isEqualTo("php-fpm-pool");
    assertThat(byPid(list, 1187).get("service").asText()).isEqualTo("mysql");
    assertThat(byPid(list, 414100).get("application").asText()).isEqualTo("shop");
    assertThat(byPid(list, 414100).get("kind").asText()).isEqualTo("wp-cron");
    assertThat(byPid(list, 398211).get("application").asText()).isEqualTo("blog");
    assertThat(byPid(list, 398211).get("kind").asText()).isEqualTo("queue-worker");
    assertThat(byPid(list, 1020).get("service").asText()).isEqualTo("nginx");
    assertThat(byPid(list, 988).get("service").asText()).isEqualTo("php-fpm");
    assertThat(byPid(list, 988).get("application").isNull()).isTrue();
    assertThat(byPid(list, 1502).get("service").asText()).isEqualTo("redis");
    assertThat(byPid(list, 81).get("service").isNull()).isTrue();
  }

  @Test
  void topProcessesAttributesSiteUser() {
    List<JsonNode> list = Json.elements(processes.parse(Fixtures.stdout("ps-cpu.txt")).get("processes"));

    // mysqldump run by the cut user name shop_ex+ belongs to the pool's site.
    assertThat(byPid(list, 414412).get("application").asText()).isEqualTo("shop_example_com");
  }

  @Test
  void topProcessesRedactsCommandLines() {
    JsonNode findings = processes.parse(Fixtures.stdout("ps-cpu.txt"));

    assertThat(findings.toString()).doesNotContain("S3cr3t-Dump!");
    assertThat(byPid(Json.elements(findings.get("processes")), 414410).get("command").asText())
        .contains("-p[SECRET-1]");
  }

  @Test
  void topProcessesSumsApplications() {
    JsonNode findings = processes.parse(Fixtures.stdout("ps-cpu.txt"));

    JsonNode top = findings.get("applications").get(0);
    assertThat(top.get("application").asText()).isEqualTo("shop_example_com");
    assertThat(top.get("processes").asInt()).isEqualTo(5);
    assertThat(top.get("cpuPercent").asDouble()).isEqualTo(277.1);
  }

  @Test
  void topProcessesKeepsProfileLimit() {
    StackProfile small = new StackProfile(profile.diskRoots(), profile.webRoots(), profile.logDirs(),
        profile.accessLogNames(), profile.errorLogs(), profile.backupDirs(), profile.databaseDirs(),
        profile.configTests(), profile.largeFileMinKb(), profile.accessLogLines(), profile.errorLogLines(),
        profile.oldBackupDays(), 3);

    JsonNode findings = new TopProcessesAnalyzer(small).parse(Fixtures.stdout("ps-cpu.txt"));

    assertThat(findings.get("processes")).hasSize(3);
    assertThat(findings.get("processesSeen").asInt()).isEqualTo(16);
    assertThat(findings.get("ownListingSkipped").asInt()).isEqualTo(1);
  }

  @Test
  void loadParsesLoadavg() {
    LoadAnalyzer load = new LoadAnalyzer();
    JsonNode findings = load.parse(Fixtures.stdout("loadavg-high.txt"));

    assertThat(load.render(null, profile)).containsExactly("cat", "/proc/loadavg");
    assertThat(findings.get("load1").asDouble()).isEqualTo(14.62);
    assertThat(findings.get("load5").asDouble()).isEqualTo(11.31);
    assertThat(findings.get("load15").asDouble()).isEqualTo(7.08);
    assertThat(findings.get("running").asInt()).isEqualTo(19);
    assertThat(findings.get("total").asInt()).isEqualTo(1044);
    assertThat(load.parse(Fixtures.exited(0, "cat: /proc/loadavg: nope", "")).get("unparsed").asText())
        .contains("nope");
  }

  @Test
  void memoryParsesMeminfo() {
    MemoryAnalyzer memory = new MemoryAnalyzer();
    JsonNode findings = memory.parse(Fixtures.stdout("meminfo.txt"));

    assertThat(memory.render(null, profile)).containsExactly("cat", "/proc/meminfo");
    assertThat(findings.get("totalKb").asLong()).isEqualTo(8124144L);
    assertThat(findings.get("availableKb").asLong()).isEqualTo(412644L);
    assertThat(findings.get("swapTotalKb").asLong()).isEqualTo(2097148L);
    assertThat(findings.get("swapFreeKb").asLong()).isEqualTo(312020L);
    assertThat(findings.get("availablePercent").asDouble()).isEqualTo(5.1);
    assertThat(findings.get("swapUsedPercent").asDouble()).isEqualTo(85.1);
    assertThat(findings.has("availableEstimated")).isFalse();
  }

  @Test
  void memoryEstimatesAvailableOnOldKernels() {
    JsonNode findings = new MemoryAnalyzer().parse(Fixtures.stdout("meminfo-old-kernel.txt"));

    assertThat(findings.get("availableKb").asLong()).isEqualTo(1000000L);
    assertThat(findings.get("availableEstimated").asBoolean()).isTrue();
    assertThat(findings.get("swapUsedPercent").asDouble()).isZero();
  }

  @Test
  void logErrorsRendersTail() {
    LogErrorsAnalyzer logErrors = new LogErrorsAnalyzer();

    assertThat(logErrors.render(Json.object().put("file", "/var/log/nginx/error.log"), profile))
        .containsExactly("tail", "-n", "200", "/var/log/nginx/error.log");
    assertThatThrownBy(() -> logErrors.render(Json.object().put("file", "-f"), profile))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> logErrors.render(Json.object(), profile))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void logErrorsGroupsNginxMessages() {
    List<String> argv = List.of("tail", "-n", "200", "/var/log/nginx/error.log");
    JsonNode findings = new LogErrorsAnalyzer().parse(argv, Fixtures.stdout("nginx-error.txt"));

    assertThat(findings.get("file").asText()).isEqualTo("/var/log/nginx/error.log");
    assertThat(findings.get("lines").asInt()).isEqualTo(8);
    assertThat(findings.get("errorLines").asInt()).isEqualTo(6);
    assertThat(findings.get("warningLines").asInt()).isEqualTo(1);
    JsonNode top = findings.get("topMessages").get(0);
    assertThat(top.get("count").asInt()).isEqualTo(3);
    assertThat(top.get("level").asText()).isEqualTo("error");
    assertThat(top.get("message").asText()).startsWith("upstream timed out (<n>: Connection timed out)")
        .contains("client: <ip>")
        .doesNotContain("203.0.113.45");
    assertThat(findings.get("last")).hasSize(5);
  }

  @Test
  void logErrorsReadsPhpFpmAndSyslog() {
    JsonNode fpm = new LogErrorsAnalyzer().parse(Fixtures.stdout("php-fpm-log.txt"));
    assertThat(fpm.get("warningLines").asInt()).isEqualTo(5);
    assertThat(fpm.get("errorLines").asInt()).isEqualTo(1);
    assertThat(fpm.get("topMessages").get(0).get("message").asText())
        .isEqualTo("[pool shop_example_com] server reached pm.max_children setting (<n>), consider raising it");
    assertThat(fpm.get("topMessages").get(0).get("count").asInt()).isEqualTo(3);

    JsonNode syslog = new LogErrorsAnalyzer().parse(Fixtures.stdout("syslog.txt"));
    assertThat(syslog.get("errorLines").asInt()).isEqualTo(4);
    assertThat(syslog.get("topMessages").get(0).get("message").asText()).contains("invoked oom-killer");
    assertThat(syslog.get("topMessages").get(0).get("count").asInt()).isEqualTo(2);
  }

  @Test
  void logErrorsMarksMissingFile() {
    JsonNode findings = new LogErrorsAnalyzer().parse(List.of("tail", "-n", "200", "/var/log/apache2/error.log"),
        Fixtures.exited(1, "", "tail: cannot open '/var/log/apache2/error.log' for reading: No such file or directory\n"));

    assertThat(findings.get("missing").asBoolean()).isTrue();
    assertThat(findings.get("lines").asInt()).isZero();
  }

  @Test
  void logErrorsNormalisesAddressesAndNumbers() {
    assertThat(LogErrorsAnalyzer.normalise("client 2001:db8::1 and 10.1.2.3:443 took 0x7f3a and 12 ms"))
        .isEqualTo("client <ip> and <ip> took <hex> and <n> ms");
  }

  private static JsonNode byPid(List<JsonNode> list, long pid) {
    return list.stream().filter(p -> p.get("pid").asLong() == pid).findFirst()
        .orElseThrow(() -> new AssertionError("no pid " + pid));
  }
}
