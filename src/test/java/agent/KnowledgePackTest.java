package agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgePackTest {

  @TempDir
  Path dir;

  private static KnowledgePack pack(String hocon) {
    return KnowledgePack.fromConfig(ConfigFactory.parseString(hocon));
  }

  private static List<String> paths(KnowledgePack pack) {
    return pack.layout().stream().flatMap(l -> l.paths().stream()).toList();
  }

  private Config withFiles(String... files) {
    return ConfigFactory.empty().withValue("knowledge-pack.files", ConfigValueFactory.fromIterable(List.of(files)));
  }

  @Test
  void defaultDescribesDebianHost() {
    KnowledgePack pack = KnowledgePack.fromConfig(ConfigFactory.empty());

    assertThat(pack.title()).contains("Debian");
    assertThat(paths(pack)).contains("/etc/nginx/sites-enabled", "/etc/php/8.2/fpm/pool.d", "/var/lib/mysql",
        "/etc/apache2/sites-enabled", "/var/www", "/var/backups", "/etc/letsencrypt/live");
    assertThat(pack.logs()).flatExtracting(KnowledgePack.LogSource::paths)
        .contains("/var/log/nginx/access.log", "/var/log/nginx/error.log", "/var/log/php8.2-fpm.log");
    assertThat(pack.logs()).allSatisfy(log -> assertThat(log.format()).isNotBlank());
    assertThat(pack.services()).flatExtracting(KnowledgePack.Service::units)
        .contains("nginx.service", "apache2.service", "php8.2-fpm.service", "mariadb.service", "redis-server.service");
    assertThat(pack.failureModes()).extracting(KnowledgePack.FailureMode::service)
        .contains("host", "nginx", "apache", "php-fpm", "mysql", "redis");
    assertThat(pack.failureModes()).allSatisfy(mode -> assertThat(mode.checks()).isNotEmpty());
    assertThat(pack.customisations()).isEmpty();
    assertThat(pack.safety()).anySatisfy(rule -> assertThat(rule).contains("/var/lib/mysql"));
    assertThat(pack.safety()).anySatisfy(rule -> assertThat(rule).contains("uploads"));
    assertThat(pack.safety()).anySatisfy(rule -> assertThat(rule).contains("application code"));
  }

  @Test
  void everyFailureModeNamesKnownService() {
    KnowledgePack pack = KnowledgePack.fromConfig(ConfigFactory.empty());
    List<String> services = pack.services().stream().map(KnowledgePack.Service::id).toList();

    for (KnowledgePack.FailureMode mode : pack.failureModes()) {
      assertThat(mode.service()).as(mode.id()).isIn(concat(services, "host"));
    }
  }

  @Test
  void renderIsMarkdownWithEverySection() {
    String text = KnowledgePack.fromConfig(ConfigFactory.empty()).render();

    assertThat(text).startsWith("# Host knowledge: Debian");
    assertThat(text).contains("\n## File layout\n", "\n## Logs\n", "\n## Services (systemd units)\n",
        "\n## Typical failure modes\n", "\n## Safety rules\n");
    assertThat(text).contains("\n- nginx-config: /etc/nginx/nginx.conf, ").contains("\n- nginx (nginx.service): ");
    assertThat(text).doesNotContain("## Customisations");
  }

  @Test
  void renderUsesOnlyConfiguredText() {
    KnowledgePack pack = pack("""
        knowledge-pack {
          title = "Test host"
          layout = null
          logs = null
          services = null
          failure-modes = null
          safety = ["Keep /data"]
        }
        """);

    assertThat(pack.render()).isEqualTo("# Host knowledge: Test host\n\n## Safety rules\n- Keep /data\n");
  }

  @Test
  void configOverridesAndDropsEntries() {
    KnowledgePack pack = pack("""
        knowledge-pack.layout.web-roots.paths = ["/home/*/public_html"]
        knowledge-pack.layout.apache-config = null
        knowledge-pack.layout.panel { description = "Control panel", paths = ["/usr/local/panel"] }
        """);

    assertThat(pack.layout()).filteredOn(l -> l.id().equals("web-roots"))
        .singleElement().satisfies(l -> assertThat(l.paths()).containsExactly("/home/*/public_html"));
    assertThat(pack.layout()).extracting(KnowledgePack.Location::id).doesNotContain("apache-config").contains("panel");
    assertThat(pack.layout()).extracting(KnowledgePack.Location::id).isSorted();
    assertThat(pack.services()).extracting(KnowledgePack.Service::id).contains("nginx");
  }

  @Test
  void filesMergeOnTopInOrder() throws IOException {
    Path yaml = dir.resolve("shared-hosting.yaml");
    Files.writeString(yaml, """
        title: Shared hosting web server
        layout:
          web-roots:
            paths: [/home/*/public_html]
          apache-config: null
        services:
          panel:
            description: Hosting control panel
            units: [panel.service]
        customisations:
          - description: Sites run as the user named like the site
            hosts: ["web-0*"]
        safety:
          - Never delete /home/*/mail
        """);
    Path hocon = dir.resolve("later.conf");
    Files.writeString(hocon, """
        title = "Later title"
        customisations = [{ description = "Backups go to /mnt/backup" }]
        safety = ["Never unmount /mnt/backup"]
        """);

    KnowledgePack pack = KnowledgePack.fromConfig(withFiles(yaml.toString(), hocon.toString()));

    assertThat(pack.title()).isEqualTo("Later title");
    assertThat(paths(pack)).contains("/home/*/public_html", "/etc/nginx/sites-enabled").doesNotContain("/var/www");
    assertThat(pack.layout()).extracting(KnowledgePack.Location::id).doesNotContain("apache-config");
    assertThat(pack.layout()).filteredOn(l -> l.id().equals("web-roots"))
        .singleElement().satisfies(l -> assertThat(l.description()).contains("WordPress"));
    assertThat(pack.services()).extracting(KnowledgePack.Service::id).contains("panel", "nginx");
    assertThat(pack.customisations()).extracting(KnowledgePack.Customisation::description)
        .containsExactly("Sites run as the user named like the site", "Backups go to /mnt/backup");
    assertThat(pack.safety()).contains("Never delete /home/*/mail", "Never unmount /mnt/backup");
    assertThat(pack.safety()).anySatisfy(rule -> assertThat(rule).contains("/var/lib/mysql"));
    assertThat(pack.render()).contains("## Customisations of this fleet\n- Sites run as the user named like the site (hosts: web-0*)");
  }

  @Test
  void yamlKeysWithDotsStayLiteral() throws IOException {
    Path yaml = dir.resolve("dots.yml");
    Files.writeString(yaml, """
        layout:
          php7.4-config:
            description: Legacy PHP
            paths: [/etc/php/7.4/fpm/pool.d]
        """);

    KnowledgePack pack = KnowledgePack.fromConfig(withFiles(yaml.toString()));

    assertThat(pack.layout()).extracting(KnowledgePack.Location::id).contains("php7.4-config");
  }

  @Test
  void forHostKeepsMatchingCustomisations() {
    KnowledgePack pack = pack("""
        knowledge-pack.customisations = [
          { description = "all hosts" }
          { description = "web group", hosts = ["web-0?", "shop-*"] }
          { description = "db group", hosts = ["db-*"] }
        ]
        """);

    assertThat(pack.forHost("WEB-01").customisations()).extracting(KnowledgePack.Customisation::description)
        .containsExactly("all hosts", "web group");
    assertThat(pack.forHost("shop-eu.example.com").customisations()).extracting(KnowledgePack.Customisation::description)
        .containsExactly("all hosts", "web group");
    assertThat(pack.forHost("web-010").customisations()).extracting(KnowledgePack.Customisation::description)
        .containsExactly("all hosts");
    assertThat(pack.forHost("db-1").customisations()).extracting(KnowledgePack.Customisation::description)
        .containsExactly("all hosts", "db group");
  }

  @Test
  void unknownKeyIsRejected() {
    assertThatThrownBy(() -> pack("knowledge-pack.layot = {}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key [layot]");
    assertThatThrownBy(() -> pack("knowledge-pack.layout.web-roots.path = [\"/x\"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key [path] in fleet-sre.knowledge-pack.layout.web-roots");
    assertThatThrownBy(() -> pack("knowledge-pack.customisations = [{ description = x, host = y }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key [host]");
  }

  @Test
  void entryMustBeObject() {
    assertThatThrownBy(() -> pack("knowledge-pack.services.nginx = \"nginx.service\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fleet-sre.knowledge-pack.services.nginx")
        .hasMessageContaining("expected an object with the keys [description, units]");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> KnowledgePack.fromConfig(withFiles(missing.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("knowledge pack file not found: " + missing);
  }

  @Test
  void extraFileErrorsNameFile() throws IOException {
    Path nested = dir.resolve("nested.conf");
    Files.writeString(nested, "files = [\"/etc/other.conf\"]\n");
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "servics: {}\n");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "layout: [unclosed\n");

    assertThatThrownBy(() -> KnowledgePack.fromConfig(withFiles(nested.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(nested + " sets [files]");
    assertThatThrownBy(() -> KnowledgePack.fromConfig(withFiles(typo.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key [servics] in " + typo);
    assertThatThrownBy(() -> KnowledgePack.fromConfig(withFiles(broken.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(broken + " is not valid YAML");
  }

  @Test
  void applicationConfIncludesPack() {
    Config application = ConfigFactory.parseResources("application.conf").resolve();

    assertThat(application.hasPath("fleet-sre.knowledge-pack.title")).isTrue();
    assertThat(application.getStringList("fleet-sre.knowledge-pack.files")).isEmpty();
  }

  private static List<String> concat(List<String> list, String extra) {
    List<String> all = new java.util.ArrayList<>(list);
    all.add(extra);
    return all;
  }
}
