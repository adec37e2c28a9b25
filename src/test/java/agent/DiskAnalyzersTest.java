package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiskAnalyzersTest {

  private final StackProfile profile = Fixtures.profile();

  @Test
  void diskUsageRendersDf() {
    assertThat(new DiskUsageAnalyzer().render(null, profile)).containsExactly("df", "-P", "-k");
    assertThat(new InodeUsageAnalyzer().render(null, profile)).containsExactly("df", "-P", "-i");
  }

  @Test
  void diskUsageParsesEveryFilesystem() {
    JsonNode findings = new DiskUsageAnalyzer().parse(Fixtures.stdout("df-k.txt"));

    List<JsonNode> filesystems = Json.elements(findings.get("filesystems"));
    assertThat(filesystems).hasSize(10);
    JsonNode root = filesystems.get(2);
    assertThat(root.get("filesystem").asText()).isEqualTo("/dev/sda1");
    assertThat(root.get("mount").asText()).isEqualTo("/");
    assertThat(root.get("sizeKb").asLong()).isEqualTo(102626232L);
    assertThat(root.get("usedKb").asLong()).isEqualTo(94105724L);
    assertThat(root.get("availableKb").asLong()).isEqualTo(3263240L);
    assertThat(root.get("usePercent").asInt()).isEqualTo(97);
    assertThat(findings.has("unparsed")).isFalse();
  }

  @Test
  void diskUsageKeepsSpacesInMountPoint() {
    JsonNode findings = new DiskUsageAnalyzer().parse(Fixtures.stdout("df-k.txt"));

    JsonNode backup = Json.elements(findings.get("filesystems")).get(8);
    assertThat(backup.get("filesystem").asText()).isEqualTo("/dev/mapper/vg-backup");
    assertThat(backup.get("mount").asText()).isEqualTo("/mnt/backup disk");
    assertThat(backup.get("usePercent").asInt()).isEqualTo(42);
  }

  @Test
  void inodeUsageReadsDashAsNull() {
    JsonNode findings = new InodeUsageAnalyzer().parse(Fixtures.stdout("df-i.txt"));

    List<JsonNode> filesystems = Json.elements(findings.get("filesystems"));
    assertThat(filesystems).hasSize(7);
    assertThat(filesystems.get(2).get("inodes").asLong()).isEqualTo(6520832L);
    assertThat(filesystems.get(2).get("used").asLong()).isEqualTo(1843210L);
    assertThat(filesystems.get(2).get("free").asLong()).isEqualTo(4677622L);
    assertThat(filesystems.get(2).get("usePercent").asInt()).isEqualTo(29);
    JsonNode efi = filesystems.get(5);
    assertThat(efi.get("mount").asText()).isEqualTo("/boot/efi");
    assertThat(efi.get("usePercent").isNull()).isTrue();
  }

  @Test
  void diskUsageReportsOddLinesAndFailures() {
    CommandOutput odd = Fixtures.exited(1, "Filesystem 1024-blocks Used Available Capacity Mounted on\ngarbage line\n",
        "df: /mnt/nfs: Stale file handle\n");
    JsonNode findings = new DiskUsageAnalyzer().parse(odd);
    assertThat(findings.get("unparsed").get(0).asText()).isEqualTo("garbage line");
    assertThat(findings.get("errors").get(0).asText()).contains("Stale file handle");

    JsonNode timedOut = new DiskUsageAnalyzer().parse(
        CommandOutput.failed(CommandOutput.Outcome.TIMED_OUT, "timed out after 30s", Duration.ofSeconds(30)));
    assertThat(timedOut.get("outcome").asText()).isEqualTo("timed_out");
    assertThat(timedOut.get("filesystems")).isEmpty();
  }

  @Test
  void directorySizesRendersRoots() {
    assertThat(new DirectorySizesAnalyzer().render(null, profile)).containsExactly(
        "du", "-x", "-k", "-d", "3", "/var/log", "/var/www", "/var/backups", "/var/cache", "/var/lib/mysql",
        "/home", "/tmp", "/srv");
    JsonNode params = Json.object().set("roots", Json.arrayOf(List.of("/var/www", "/data")));
    assertThat(new DirectorySizesAnalyzer().render(params, profile))
        .containsExactly("du", "-x", "-k", "-d", "3", "/var/www", "/data");
  }

  @Test
  void directorySizesRejectsRelativeOrOptionRoots() {
    for (String bad : List.of("-delete", "var/www", "/var/www/../../etc", "")) {
      JsonNode params = Json.object().set("roots", Json.arrayOf(List.of(bad)));
      assertThatThrownBy(() -> new DirectorySizesAnalyzer().render(params, profile))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void directorySizesParsesDespiteExitOne() {
    CommandOutput output = Fixtures.exited(1, Fixtures.read("du-stdout.txt"), Fixtures.read("du-stderr.txt"));

    JsonNode findings = new DirectorySizesAnalyzer().parse(output);

    List<JsonNode> directories = Json.elements(findings.get("directories"));
    assertThat(directories).hasSize(DirectorySizesAnalyzer.MAX_DIRECTORIES);
    assertThat(directories.get(0).get("path").asText()).isEqualTo("/var/www");
    assertThat(directories.get(0).get("sizeKb").asLong()).isEqualTo(50965528L);
    assertThat(directories.get(1).get("path").asText()).isEqualTo("/var/www/shop");
    assertThat(directories).extracting(d -> d.get("sizeKb").asLong()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(findings.get("directoriesSeen").asInt()).isEqualTo(44);
    assertThat(Json.elements(findings.get("errors"))).extracting(JsonNode::asText).containsExactly(
        "du: cannot read directory '/var/lib/mysql': Permission denied",
        "du: cannot read directory '/var/cache/ldconfig': Permission denied",
        "du: cannot access '/srv': No such file or directory");
  }

  @Test
  void largeFilesRendersFindWithLiteralEscapes() {
    List<String> argv = new LargeFilesAnalyzer(profile, Fixtures.CLOCK)
        .render(Json.object().set("roots", Json.arrayOf(List.of("/var/log", "/var/www"))), profile);

    assertThat(argv).containsExactly("find", "/var/log", "/var/www", "-xdev", "-type", "f", "-size", "+10240k",
        "-printf", "%s\\t%T@\\t%u\\t%p\\n");
    assertThat(argv.get(argv.size() - 1)).hasSize(17).doesNotContain("\t", "\n");
  }

  @Test
  void largeFilesClassifiesAndTotals() {
    CommandOutput output = Fixtures.exited(1, Fixtures.read("find-large.txt"), Fixtures.read("find-large-stderr.txt"));

    JsonNode findings = new LargeFilesAnalyzer(profile, Fixtures.CLOCK).parse(output);

    List<JsonNode> files = Json.elements(findings.get("files"));
    assertThat(files).hasSize(25);
    assertThat(files.get(0).get("path").asText()).isEqualTo("/var/lib/mysql/ibdata1");
    assertThat(files.get(0).get("deletable").asBoolean()).isFalse();
    assertThat(files.get(0).get("category").asText()).isEqualTo(FileClassifier.DATABASE);
    assertThat(files).extracting(f -> f.get("bytes").asLong()).isSortedAccordingTo((a, b) -> Long.compare(b, a));

    JsonNode oldBackup = file(files, "/var/backups/mysql/shop-2024-11-08.sql.gz");
    assertThat(oldBackup.get("deletable").asBoolean()).isTrue();
    assertThat(oldBackup.get("modified").asLong()).isEqualTo(1731067200L);
    assertThat(oldBackup.get("owner").asText()).isEqualTo("root");
    assertThat(file(files, "/var/backups/mysql/shop-2024-12-03.sql.gz").get("deletable").asBoolean()).isFalse();
    assertThat(file(files, "/tmp/it's a \"weird\" name.bin").get("reason").asText()).isEqualTo("unclassified, review by hand");

    long deletable = files.stream().filter(f -> f.get("deletable").asBoolean()).mapToLong(f -> f.get("bytes").asLong()).sum();
    assertThat(findings.get("deletableBytes").asLong()).isEqualTo(deletable);
    assertThat(findings.get("protectedBytes").asLong()).isPositive();
    assertThat(findings.get("unclassifiedBytes").asLong()).isEqualTo(268435456L + 20971520L);
    assertThat(findings.get("errors")).hasSize(2);
  }

  @Test
  void largeFilesSkipsBrokenLines() {
    String stdout = "1048576\t1733313000.5\troot\t/var/log/a.log.1\n"
        + "not a find line\n"
        + "12x\t1733313000\troot\t/var/log/b.log.1\n"
        + "2048\t1733313000\troot\trelative/path\n";

    JsonNode findings = new LargeFilesAnalyzer(profile, Fixtures.CLOCK).parse(Fixtures.exited(0, stdout, ""));

    assertThat(findings.get("files")).hasSize(1);
    assertThat(findings.get("unparsed")).hasSize(3);
  }

  @Test
  void accessLogFilesRendersOneCommandPerGlob() {
    AccessLogFilesAnalyzer analyzer = new AccessLogFilesAnalyzer();

    assertThat(analyzer.render(null, profile)).containsExactly("find", "/var/log/nginx", "/var/log/apache2",
        "-maxdepth", "2", "-type", "f", "-name", "*access.log", "-printf", "%s\\t%T@\\t%p\\n");
    List<List<String>> all = analyzer.renderAll(null, profile);
    assertThat(all).hasSize(2);
    assertThat(all.get(1)).contains("*access_log");
    assertThatThrownBy(() -> analyzer.render(Json.object().put("name", "../*.log"), profile))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void accessLogFilesSortsNewestFirst() {
    CommandOutput output = Fixtures.exited(1, Fixtures.read("find-access-logs.txt"),
        "find: ‘/var/log/apache2’: No such file or directory\n");

    JsonNode findings = new AccessLogFilesAnalyzer().parse(output);

    List<JsonNode> files = Json.elements(findings.get("files"));
    assertThat(files).extracting(f -> f.get("path").asText()).containsExactly(
        "/var/log/nginx/access.log",
        "/var/log/nginx/staging/access.log",
        "/var/log/nginx/shop.example.com.access.log",
        "/var/log/nginx/api.example.com-access.log",
        "/var/log/nginx/blog.example.org.access.log");
    assertThat(files.get(0).get("bytes").asLong()).isEqualTo(73400320L);
    assertThat(files.get(0).get("modified").asLong()).isEqualTo(1733313599L);
    assertThat(findings.get("errors").get(0).asText()).contains("/var/log/apache2");
  }

  private static JsonNode file(List<JsonNode> files, String path) {
    return files.stream().filter(f -> f.get("path").asText().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError("no file " + path));
  }

  @Test
  void directoryInodesRendersDuInodes() {
    DirectoryInodesAnalyzer inodes = new DirectoryInodesAnalyzer();

    assertThat(inodes.render(Json.object().set("roots", Json.arrayOf(List.of("/var/www", "/tmp"))), profile))
        .containsExactly("du", "--inodes", "-x", "-d", "3", "/var/www", "/tmp");
    assertThat(inodes.render(null, profile)).startsWith("du", "--inodes", "-x", "-d", "3", "/var/log");
    assertThatThrownBy(() -> inodes.render(Json.object().set("roots", Json.arrayOf(List.of("--files0-from=x"))), profile))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void directoryInodesParsesCountsMostFirst() {
    String stdout = String.join("\n",
        "12\t/var/www/shop/wp-content/uploads/2026",
        "4917331\t/var/www/shop/wp-content/cache",
        "4920210\t/var/www/shop/wp-content",
        "4921877\t/var/www/shop",
        "4921878\t/var/www") + "\n";
    JsonNode findings = new DirectoryInodesAnalyzer().parse(Fixtures.exited(1, stdout,
        "du: cannot read directory '/var/www/shop/private': Permission denied\n"));

    List<JsonNode> directories = Json.elements(findings.get("directories"));
    assertThat(directories).extracting(d -> d.get("path").asText()).containsExactly("/var/www", "/var/www/shop",
        "/var/www/shop/wp-content", "/var/www/shop/wp-content/cache", "/var/www/shop/wp-content/uploads/2026");
    assertThat(directories.get(3).get("inodes").asLong()).isEqualTo(4917331L);
    assertThat(directories.get(3).has("sizeKb")).isFalse();
    assertThat(findings.get("directoriesSeen").asInt()).isEqualTo(5);
    assertThat(findings.get("errors").get(0).asText()).contains("Permission denied");
  }
}
