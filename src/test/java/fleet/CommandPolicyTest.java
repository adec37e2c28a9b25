package fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import fleet.CommandPolicy.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandPolicyTest {

  private static final String LARGE = "%s\\t%T@\\t%u\\t%p\\n";
  private static final String NAMED = "%s\\t%T@\\t%p\\n";
  private static final String PS_COLUMNS = "pid,user,pcpu,pmem,rss,etimes,args";
  private static final String FIXTURE_BINARY = "/opt/fleet-fixtures/fake-nginx";

  private static final CommandPolicy DEFAULT = CommandPolicy.fromConfig(policyBlock(""));
  private static final CommandPolicy WITH_SUDO_AND_EXTRA = CommandPolicy.fromConfig(policyBlock(
      "allow-sudo = true\nextra-binaries = [\"" + FIXTURE_BINARY + "\"]"));

  /** Reads policy.conf from the classpath, as the application does, with {@code overrides} on top. */
  private static Config policyBlock(String overrides) {
    Config defaults = ConfigFactory.parseResources("policy.conf");
    assertThat(defaults.hasPath("fleet-sre.command-policy")).as("policy.conf on the classpath").isTrue();
    return ConfigFactory.parseString("fleet-sre.command-policy {\n" + overrides + "\n}")
        .withFallback(defaults)
        .resolve()
        .getConfig("fleet-sre.command-policy");
  }

  static Stream<List<String>> allowedForms() {
    return Stream.of(
        List.of("df", "-P", "-k"),
        List.of("df", "-P", "-k", "/var/log", "/home", "/tmp"),
        List.of("df", "-P", "-i"),
        List.of("df", "-P", "-i", "/var/www"),
        List.of("du", "-x", "-k", "-d", "1", "/var/log"),
        List.of("du", "-x", "-k", "-d", "4", "/var/www", "/srv/www", "/var/lib/mysql"),
        List.of("du", "--inodes", "-x", "-d", "3", "/var/www", "/var/log"),
        List.of("find", "/var/log", "-xdev", "-type", "f", "-size", "+10240k", "-printf", LARGE),
        List.of("find", "/var/log", "/var/www", "/home/backups", "-xdev", "-type", "f", "-size", "+0k", "-printf", LARGE),
        List.of("find", "/var/log/nginx", "-maxdepth", "2", "-type", "f", "-name", "*access.log", "-printf", NAMED),
        List.of("find", "/var/log/nginx", "/var/log/apache2", "-maxdepth", "1", "-type", "f",
            "-name", "*access.log", "-o", "-name", "*access_log", "-o", "-name", "access.log.1", "-printf", NAMED),
        List.of("find", "/etc/letsencrypt/live", "/etc/ssl/certs", "-maxdepth", "2", "-xtype", "f", "-name", "cert.pem",
            "-printf", NAMED),
        List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in", "/etc/letsencrypt/live/shop.example.com/cert.pem"),
        List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in", "/etc/ssl/certs/shop.example.com.crt"),
        List.of("tail", "-n", "1", "/var/log/syslog"),
        List.of("tail", "-n", "100000", "/var/log/nginx/access.log"),
        List.of("cat", "/proc/loadavg"),
        List.of("cat", "/proc/meminfo"),
        List.of("cat", "/etc/nginx/nginx.conf"),
        List.of("ps", "-eo", PS_COLUMNS, "--sort=-pcpu"),
        List.of("ps", "-eo", PS_COLUMNS, "--sort=-rss"),
        List.of("nginx", "-t"),
        List.of("nginx", "-t", "-c", "/etc/nginx/nginx.conf"),
        List.of("nginx", "-t", "-p", "/etc/nginx/"),
        List.of("nginx", "-t", "-p", "/etc/nginx", "-c", "/etc/nginx/nginx.conf"),
        List.of("apache2ctl", "-t"),
        List.of("apachectl", "-t"),
        List.of("php-fpm", "-t"),
        List.of("php-fpm8.2", "-t"),
        List.of("php-fpm7.4", "-t", "-c", "/etc/php/7.4/fpm/php.ini", "-p", "/etc/php/7.4"),
        List.of("nproc"),
        List.of("uptime"),
        List.of("free", "-k"),
        ShellTemplate.TOP_PROCESSES.argv("-pcpu", "25"),
        ShellTemplate.TOP_PROCESSES.argv("-rss", "1"),
        ShellTemplate.TOP_PROCESSES.argv("-rss", "500"),
        journal("--priority=err", "--lines=200", "--since=-1d"),
        journal("--priority=warning", "--lines=5000"),
        journal("--priority=3", "--lines=1", "--unit=php8.2-fpm.service", "--dmesg", "--since=-30min"),
        journal("--priority=err", "--lines=200", "--unit=systemd-journald@default.service"),
        journal("--priority=crit", "--lines=10", "--dmesg", "--since=-7d"));
  }

  /** Returns the fixed journalctl prefix that the policy requires, followed by {@code rest}. */
  private static List<String> journal(String... rest) {
    List<String> argv = new java.util.ArrayList<>(List.of("journalctl", "--no-pager", "--quiet", "--output=short-iso"));
    argv.addAll(List.of(rest));
    return argv;
  }

  @ParameterizedTest
  @MethodSource("allowedForms")
  void allowsAnalyzerForm(List<String> argv) {
    Verdict verdict = DEFAULT.check(argv);

    assertThat(verdict.reason()).isEmpty();
    assertThat(verdict.allowed()).isTrue();
  }

  @ParameterizedTest
  @MethodSource("allowedForms")
  void allowsAnalyzerFormAfterSudo(List<String> argv) {
    List<String> withSudo = new ArrayList<>(List.of("sudo", "-n"));
    withSudo.addAll(argv);

    Verdict verdict = WITH_SUDO_AND_EXTRA.check(withSudo);

    assertThat(verdict.reason()).isEmpty();
    assertThat(verdict.allowed()).isTrue();
  }

  @Test
  void allowsListedExtraBinary() {
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of(FIXTURE_BINARY, "-t")).allowed()).isTrue();
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of(FIXTURE_BINARY, "-t", "-c", "/etc/nginx/nginx.conf")).allowed()).isTrue();
  }

  /**
   * Each row: the argv, the argument the reason must name (as quoted in reasons) and its position.
   */
  static Stream<Arguments> hostileCommands() {
    return Stream.of(
        row(List.of("find", "/var/log", "-xdev", "-type", "f", "-size", "+1k", "-delete"), "-delete", 7),
        row(List.of("find", "/var/log", "-exec", "rm", "-f", "{}", "+"), "-exec", 2),
        row(List.of("find", "/var/log", "-execdir", "rm", "{}", ";"), "-execdir", 2),
        row(List.of("find", "/var/log", "-ok", "rm", "{}", ";"), "-ok", 2),
        row(List.of("find", "/var/log", "-xdev", "-type", "f", "-size", "+1k", "-fprintf", "/tmp/out", LARGE), "-fprintf", 7),
        row(List.of("find", "/var/log", "-maxdepth", "1", "-type", "f", "-name", "*.log", "-fprint", "/tmp/out"), "-fprint", 8),
        row(List.of("find", "/var/log", "-fls", "/tmp/out"), "-fls", 2),
        row(List.of("find", "/var/log", "-xdev", "-type", "f", "-size", "+1k", "-printf", "%p"), "%p", 8),
        row(List.of("find", "/var/log", "-maxdepth", "1", "-type", "f", "-name", "*.log;id", "-printf", NAMED), "*.log;id", 7),
        row(List.of("find", "/", "-xdev", "-type", "f", "-size", "+1k", "-printf", LARGE), "/", 1),
        row(List.of("find", "/var/log", "-maxdepth", "11", "-type", "f", "-name", "x", "-printf", NAMED), "11", 3),
        row(List.of("rm", "-rf", "/var/log"), "rm", 0),
        row(List.of("mv", "/var/log/a", "/tmp/b"), "mv", 0),
        row(List.of("chmod", "777", "/tmp"), "chmod", 0),
        row(List.of("dd", "if=/dev/zero", "of=/var/log/syslog"), "dd", 0),
        row(List.of("curl", "-o", "/tmp/x", "http://127.0.0.1:9/"), "curl", 0),
        row(List.of("wget", "http://127.0.0.1:9/"), "wget", 0),
        row(List.of("bash", "-c", "id"), "bash", 0),
        row(List.of("sh", "-c", "id"), "id", 2),
        row(List.of("sh", "-c", "rm -rf /var/www", "_"), "rm -rf /var/www", 2),
        row(List.of("/bin/sh", "-c", ShellTemplate.TOP_PROCESSES.script(), "_", "-rss", "5"), "/bin/sh", 0),
        row(List.of("tail", "-f", "/var/log/syslog"), "-f", 1),
        row(List.of("tail", "-n", "10", "/var/log/syslog", ">", "/tmp/x"), ">", 4),
        row(List.of("tail", "-n", "10", "/var/log/syslog>/tmp/x"), "/var/log/syslog>/tmp/x", 3),
        row(List.of("tail", "-n", "100001", "/var/log/syslog"), "100001", 2),
        row(List.of("tail", "-n", "10", "/var/log/a", "/var/log/b"), "/var/log/b", 4),
        row(List.of("cat", "$(id)"), "$(id)", 1),
        row(List.of("cat", "`id`"), "`id`", 1),
        row(List.of("cat", "/var/log/syslog;id"), "/var/log/syslog;id", 1),
        row(List.of("df", "-P", "-k", "/var/log", "&&", "id"), "&&", 4),
        row(List.of("df", "-P", "-k", "/var/log|id"), "/var/log|id", 3),
        row(List.of("df", "-P", "-k", "/var/log/*"), "/var/log/*", 3),
        row(List.of("cat", "/var/log/../../etc/shadow"), "/var/log/../../etc/shadow", 1),
        row(List.of("cat", "/var/log/./syslog"), "/var/log/./syslog", 1),
        row(List.of("cat", "/var/log//../etc/shadow"), "/var/log//../etc/shadow", 1),
        row(List.of("cat", "/etc/shadow"), "/etc/shadow", 1),
        row(List.of("cat", "/proc/self/environ"), "/proc/self/environ", 1),
        row(List.of("cat", "/var/logevil/x"), "/var/logevil/x", 1),
        row(List.of("cat", "var/log/syslog"), "var/log/syslog", 1),
        row(List.of("cat", "~root/.ssh/id_rsa"), "~root/.ssh/id_rsa", 1),
        row(List.of("cat", "/var/log/sys\u0000log"), "/var/log/sys\\u0000log", 1),
        row(List.of("cat", "/var/log/syslog\nid"), "/var/log/syslog\\u000Aid", 1),
        row(List.of("cat", "/var/log/syslog\rid"), "/var/log/syslog\\u000Did", 1),
        row(List.of("cat", "/var/log/\u2025/\u2025/etc/shadow"), "/var/log/\\u2025/\\u2025/etc/shadow", 1),
        row(List.of("cat", "\uFF0Fetc\uFF0Fshadow"), "\\uFF0Fetc\\uFF0Fshadow", 1),
        row(List.of("c\u0430t", "/var/log/syslog"), "c\\u0430t", 0),
        row(List.of("df", "-P", "-k", ""), "", 3),
        row(List.of("du", "-x", "-k", "-d", "5", "/var/log"), "5", 4),
        row(List.of("du", "-x", "-k", "-d", "1", "/"), "/", 5),
        row(List.of("ps", "aux"), "aux", 1),
        row(List.of("ps", "-eo", "pid,args", "--sort=-pcpu"), "pid,args", 2),
        row(List.of("nginx", "-s", "stop"), "-s", 1),
        row(List.of("nginx", "-t", "-g", "daemon off;"), "-g", 2),
        row(List.of("php-fpm8.2", "-t", "-c", "/etc/shadow"), "/etc/shadow", 3),
        row(List.of("php-fpm8.2;id", "-t"), "php-fpm8.2;id", 0),
        row(List.of("/usr/bin/df", "-P", "-k"), "/usr/bin/df", 0),
        row(List.of("free", "-k", "-s", "1"), "-s", 2),
        row(List.of("sudo", "-n", "df", "-P", "-k"), "sudo", 0),
        row(List.of("du", "--inodes", "-x", "-d", "3", "/"), "/", 5),
        row(List.of("du", "--inodes", "-x", "-d", "5", "/var/www"), "5", 4),
        row(List.of("du", "--inodes", "--files0-from=/etc/shadow"), "--files0-from=/etc/shadow", 2),
        row(List.of("du", "--inodes", "-x", "-d", "3", "/var/www;id"), "/var/www;id", 5),
        row(List.of("find", "/etc/letsencrypt/live", "-maxdepth", "2", "-xtype", "f", "-name", "cert.pem",
            "-exec", "cat", "{}", "+"), "-exec", 8),
        row(List.of("find", "/etc/ssl/private", "-maxdepth", "2", "-xtype", "f", "-name", "*.pem", "-printf", NAMED),
            "/etc/ssl/private", 1),
        row(List.of("find", "/etc/ssl/certs", "-maxdepth", "2", "-xtype", "d", "-name", "*", "-printf", NAMED), "d", 5),
        row(List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in",
            "/etc/letsencrypt/live/shop.example.com/privkey.pem"), "/etc/letsencrypt/live/shop.example.com/privkey.pem", 6),
        row(List.of("openssl", "x509", "-in", "/etc/ssl/certs/shop.crt", "-text"), "-in", 2),
        row(List.of("openssl", "s_client", "-connect", "127.0.0.1:443"), "s_client", 1),
        row(List.of("openssl", "enc", "-d", "-in", "/etc/ssl/certs/shop.crt"), "enc", 1),
        row(List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in", "/etc/shadow"), "/etc/shadow", 6),
        row(List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in", "/etc/ssl/certs/shop.crt",
            "-out", "/tmp/x"), "-out", 7),
        row(List.of("cat", "/etc/letsencrypt/live/shop.example.com/privkey.pem"),
            "/etc/letsencrypt/live/shop.example.com/privkey.pem", 1),
        row(List.of("tail", "-n", "5", "/etc/ssl/certs/server.key"), "/etc/ssl/certs/server.key", 3),
        row(List.of("journalctl", "--vacuum-size=1M"), "--vacuum-size=1M", 1),
        row(List.of("journalctl", "--rotate"), "--rotate", 1),
        row(List.of("journalctl", "--flush"), "--flush", 1),
        row(List.of("journalctl", "-f"), "-f", 1),
        row(journal("--priority=err", "--lines=200", "--follow"), "--follow", 6),
        row(journal("--priority=err", "--lines=200", "--file=/etc/shadow"), "--file=/etc/shadow", 6),
        row(journal("--priority=err", "--lines=200", "--directory=/tmp"), "--directory=/tmp", 6),
        row(journal("--priority=err", "--lines=200", "--unit=nginx;id"), "--unit=nginx;id", 6),
        row(journal("--priority=err", "--lines=200", "--unit=*"), "--unit=*", 6),
        row(journal("--priority=err", "--lines=200", "--since=$(id)"), "--since=$(id)", 6),
        row(journal("--priority=err", "--lines=200", "--since=-1h", "--vacuum-time=1s"), "--vacuum-time=1s", 7),
        row(journal("--priority=err", "--lines=5001"), "--lines=5001", 5),
        row(journal("--priority=err", "--lines=0"), "--lines=0", 5),
        row(journal("--priority=everything", "--lines=10"), "--priority=everything", 4),
        row(journal("--priority=err", "--lines=10", "--output=json"), "--output=json", 6),
        row(List.of("journalctl", "--quiet", "--no-pager", "--output=short-iso", "--priority=err", "--lines=10"),
            "--quiet", 1),
        row(List.of("journalctl", "--no-pager", "--quiet", "--output=short-iso", "--priority=err", "--lines=10",
            "--setup-keys"), "--setup-keys", 6));
  }

  private static Arguments row(List<String> argv, String named, int position) {
    return Arguments.of(argv, named, position);
  }

  @ParameterizedTest
  @MethodSource("hostileCommands")
  void rejectsHostileCommand(List<String> argv, String named, int position) {
    Verdict verdict = DEFAULT.check(argv);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("argument [" + named + "] at position " + position + ":");
  }

  @Test
  void hostileTableIsLargeEnough() {
    assertThat(hostileCommands().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void rejectionReasonStatesRule() {
    assertThat(DEFAULT.check(List.of("cat", "/var/log/../../etc/shadow")).reason()).contains("[..] segment");
    assertThat(DEFAULT.check(List.of("cat", "/etc/shadow")).reason()).contains("not under any of path-prefixes");
    assertThat(DEFAULT.check(List.of("cat", "$(id)")).reason()).contains("shell metacharacter [$]");
    assertThat(DEFAULT.check(List.of("tail", "-f", "/var/log/syslog")).reason()).contains("expected -n");
    assertThat(DEFAULT.check(List.of("rm", "-rf", "/")).reason()).contains("not in the allowlist");
    assertThat(DEFAULT.check(List.of("du", "-x", "-k", "-d", "5", "/var/log")).reason()).contains("range 1..4");
    assertThat(DEFAULT.check(List.of("cat", "a\u0000")).reason()).contains("control character U+0000");
  }

  @Test
  void rejectsPrivateKeyPaths() {
    for (String key : List.of("/etc/letsencrypt/live/shop/privkey.pem", "/var/www/shop/privkey12.pem",
        "/etc/nginx/ssl/shop.example.com.key", "/etc/nginx/ssl/SHOP.KEY")) {
      Verdict verdict = DEFAULT.check(List.of("cat", key));

      assertThat(verdict.allowed()).as(key).isFalse();
      assertThat(verdict.reason()).as(key).contains("private key");
    }
    assertThat(DEFAULT.check(List.of("cat", "/etc/nginx/keys.conf")).allowed()).isTrue();
    assertThat(DEFAULT.check(List.of("cat", "/etc/letsencrypt/live/shop/fullchain.pem")).allowed()).isTrue();
  }

  @Test
  void rejectsMissingArgument() {
    Verdict verdict = DEFAULT.check(List.of("tail", "-n", "10"));

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("missing argument after [10] at position 2");
  }

  @Test
  void rejectsEmptyAndNullArgv() {
    assertThat(DEFAULT.check(List.of()).allowed()).isFalse();
    assertThat(DEFAULT.check(null).allowed()).isFalse();
    assertThat(DEFAULT.check(Collections.singletonList(null)).reason()).contains("position 0");
  }

  @Test
  void rejectsOverlongArgv() {
    List<String> argv = new ArrayList<>(List.of("df", "-P", "-k"));
    argv.addAll(Collections.nCopies(300, "/var/log"));
    assertThat(DEFAULT.check(argv).reason()).contains("max-arguments");

    Verdict longPath = DEFAULT.check(List.of("cat", "/var/log/" + "a".repeat(5000)));
    assertThat(longPath.allowed()).isFalse();
    assertThat(longPath.reason()).contains("max-argument-length").contains("...");
  }

  @Test
  void rejectsSudoForms() {
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of("sudo", "-u", "root", "df", "-P", "-k")).reason())
        .contains("argument [-u] at position 1");
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of("sudo", "-n", "sudo", "-n", "nginx", "-t")).reason())
        .contains("argument [sudo] at position 2");
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of("sudo", "-n", "rm", "/tmp/x")).reason())
        .contains("argument [rm] at position 2");
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of("sudo", "-n", "cat", "/etc/shadow")).reason())
        .contains("argument [/etc/shadow] at position 3");
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of("sudo", "-n")).allowed()).isFalse();
    assertThat(WITH_SUDO_AND_EXTRA.check(List.of("sudo", "-n", "-s")).allowed()).isFalse();
  }

  @Test
  void rejectsUnlistedAbsoluteBinary() {
    Verdict verdict = WITH_SUDO_AND_EXTRA.check(List.of("/opt/fleet-fixtures/other", "-t"));

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("[/opt/fleet-fixtures/other]").contains("extra-binaries");
  }

  @Test
  void extraBinaryTakesOnlyConfigTest() {
    Verdict verdict = WITH_SUDO_AND_EXTRA.check(List.of(FIXTURE_BINARY, "-s", "stop"));

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("argument [-s] at position 1");
  }

  static Stream<Arguments> hostileTemplateArguments() {
    return Stream.of(
        Arguments.of("-pcpu; rm -rf /", "25", "-pcpu; rm -rf /", 4),
        Arguments.of("$(id)", "25", "$(id)", 4),
        Arguments.of("-pcpu", "1 | sh", "1 | sh", 5),
        Arguments.of("-pcpu", "`id`", "`id`", 5),
        Arguments.of("-pmem", "25", "-pmem", 4),
        Arguments.of("-rss", "501", "501", 5),
        Arguments.of("-rss", "0", "0", 5),
        Arguments.of("-rss", "25\n", "25\\u000A", 5));
  }

  @ParameterizedTest
  @MethodSource("hostileTemplateArguments")
  void rejectsHostileTemplateArgument(String sort, String count, String named, int position) {
    Verdict verdict = DEFAULT.check(ShellTemplate.TOP_PROCESSES.argv(sort, count));

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("argument [" + named + "] at position " + position + ":");
  }

  @Test
  void rejectsAlteredTemplateScript() {
    String script = ShellTemplate.TOP_PROCESSES.script();
    List<String> altered = List.of(
        script.replace("head", "heae"),
        script.replace("\"$2\"", "$2"),
        script + " ",
        " " + script,
        script.substring(0, script.length() - 1),
        script.replace("|", ";"));
    for (String candidate : altered) {
      Verdict verdict = DEFAULT.check(List.of("sh", "-c", candidate, "_", "-pcpu", "25"));

      assertThat(verdict.allowed()).as(candidate).isFalse();
      assertThat(verdict.reason()).as(candidate).contains("at position 2:");
    }
    assertThat(DEFAULT.check(List.of("sh", "-c", altered.get(0), "_", "-pcpu", "25")).reason())
        .contains("expected the script of a ShellTemplate");
  }

  @Test
  void rejectsTemplateWithWrongArity() {
    String script = ShellTemplate.TOP_PROCESSES.script();

    assertThat(DEFAULT.check(List.of("sh", "-c", script, "_", "-pcpu")).reason()).contains("missing argument");
    assertThat(DEFAULT.check(List.of("sh", "-c", script, "_", "-pcpu", "5", "6")).reason())
        .contains("argument [6] at position 6");
    assertThat(DEFAULT.check(List.of("sh", "-c", script, "-pcpu", "5")).reason())
        .contains("argument [-pcpu] at position 3");
  }

  @Test
  void templateArgvChecksArity() {
    assertThat(ShellTemplate.TOP_PROCESSES.argv("-rss", "10"))
        .containsExactly("sh", "-c", ShellTemplate.TOP_PROCESSES.script(), "_", "-rss", "10");
    assertThatThrownBy(() -> ShellTemplate.TOP_PROCESSES.argv("-rss"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes 2 arguments");
  }

  /** Every variable part must be a double-quoted positional parameter, numbered 1..n without gaps. */
  @Test
  void templatesQuoteEveryParameter() {
    Pattern dollar = Pattern.compile("\\$");
    Pattern quotedParameter = Pattern.compile("\"\\$([1-9])\"");
    for (ShellTemplate template : ShellTemplate.values()) {
      String script = template.script();
      TreeSet<Integer> numbers = new TreeSet<>();
      Matcher quoted = quotedParameter.matcher(script);
      while (quoted.find()) {
        numbers.add(Integer.parseInt(quoted.group(1)));
      }
      long dollars = dollar.matcher(script).results().count();
      int arity = template.argumentPatterns().size();

      assertThat(dollars).as(template.name() + " dollar signs").isEqualTo(quotedParameter.matcher(script).results().count());
      assertThat(numbers).as(template.name() + " parameters").hasSize(arity);
      if (arity > 0) {
        assertThat(numbers.last()).as(template.name() + " highest parameter").isEqualTo(arity);
      }
      assertThat(ShellTemplate.ofScript(script)).contains(template);
    }
  }

  @Test
  void defaultConfigRejectsSudo() {
    Verdict verdict = DEFAULT.check(List.of("sudo", "-n", "nginx", "-t"));

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.reason()).contains("allow-sudo = false");
  }

  @Test
  void overridesReplacePrefixes() {
    CommandPolicy policy = CommandPolicy.fromConfig(policyBlock("path-prefixes = [\"/data/logs\", \"/opt/site/\"]"));

    assertThat(policy.check(List.of("tail", "-n", "5", "/data/logs/app.log")).allowed()).isTrue();
    assertThat(policy.check(List.of("du", "-x", "-k", "-d", "1", "/opt/site")).allowed()).isTrue();
    assertThat(policy.check(List.of("tail", "-n", "5", "/var/log/syslog")).reason())
        .contains("argument [/var/log/syslog] at position 3")
        .contains("[/data/logs, /opt/site]");
  }

  @Test
  void overridesNarrowBinaries() {
    CommandPolicy policy = CommandPolicy.fromConfig(policyBlock("binaries = [\"df\"]"));

    assertThat(policy.check(List.of("df", "-P", "-k")).allowed()).isTrue();
    assertThat(policy.check(List.of("find", "/var/log", "-xdev", "-type", "f", "-size", "+1k", "-printf", LARGE)).reason())
        .contains("argument [find] at position 0")
        .contains("not in the allowlist");
    assertThat(policy.check(ShellTemplate.TOP_PROCESSES.argv("-rss", "5")).allowed()).isFalse();
  }

  @Test
  void rejectsInvalidConfig() {
    assertThatThrownBy(() -> CommandPolicy.fromConfig(policyBlock("binaries = [\"df\", \"rm\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("binaries")
        .hasMessageContaining("[rm]");
    assertThatThrownBy(() -> CommandPolicy.fromConfig(policyBlock("path-prefixes = [\"/\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("path-prefixes");
    assertThatThrownBy(() -> CommandPolicy.fromConfig(policyBlock("path-prefixes = [\"/var/log/..\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[/var/log/..]");
    assertThatThrownBy(() -> CommandPolicy.fromConfig(policyBlock("path-prefixes = [\"var/log\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not absolute");
    assertThatThrownBy(() -> CommandPolicy.fromConfig(policyBlock("extra-binaries = [\"fake-nginx\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extra-binaries");
    assertThatThrownBy(() -> CommandPolicy.fromConfig(policyBlock("extra-binaries = [\"/opt/x/../bin/sh\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extra-binaries");
  }
}
