package fleet;

import static fleet.ArgvGrammar.literal;
import static fleet.ArgvGrammar.number;
import static fleet.ArgvGrammar.oneOrMore;
import static fleet.ArgvGrammar.optional;
import static fleet.ArgvGrammar.path;
import static fleet.ArgvGrammar.pattern;
import static fleet.ArgvGrammar.zeroOrMore;

import fleet.ArgvGrammar.Element;
import fleet.ArgvGrammar.Form;
import fleet.ArgvGrammar.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The argument forms each allowed program accepts. These are the exact shapes the analyzers
 * render: read-only options only, so no form can write, delete or execute anything else.
 */
final class CommandForms {

  /** {@code find -printf} format of the large-file listing: size, mtime, owner, path, tab-separated. */
  static final String LARGE_FILE_FORMAT = "%s\\t%T@\\t%u\\t%p\\n";
  /** {@code find -printf} format of the name search: size, mtime, path, tab-separated. */
  static final String NAMED_FILE_FORMAT = "%s\\t%T@\\t%p\\n";
  /** The {@code ps -eo} column list that the process analyzers parse. */
  static final String PS_COLUMNS = "pid,user,pcpu,pmem,rss,etimes,args";

  /** Name of the rule shared by the PHP-FPM binaries, the plain and the versioned ones. */
  static final String PHP_FPM = "php-fpm";
  /** Versioned PHP-FPM binaries such as {@code php-fpm8.2}, checked with the {@link #PHP_FPM} rule. */
  static final Pattern VERSIONED_PHP_FPM = Pattern.compile("php-fpm[0-9]{1,2}\\.[0-9]{1,2}");

  private CommandForms() {}

  /** Returns the forms of every built-in program, keyed by the name used in {@code binaries}. */
  static Map<String, List<Form>> builtIn(PathRule paths) {
    Map<String, List<Form>> forms = new LinkedHashMap<>();
    forms.put("df", List.of(
        Form.of(literal("-P"), literal("-k"), zeroOrMore(path(paths))),
        Form.of(literal("-P"), literal("-i"), zeroOrMore(path(paths)))));
    forms.put("du", List.of(
        Form.of(literal("-x"), literal("-k"), literal("-d"), number(1, 4), oneOrMore(path(paths))),
        Form.of(literal("--inodes"), literal("-x"), literal("-d"), number(1, 4), oneOrMore(path(paths)))));
    forms.put("find", find(paths));
    forms.put("tail", List.of(Form.of(literal("-n"), number(1, 100_000), path(paths))));
    forms.put("cat", List.of(Form.of(oneOrMore(path(paths)))));
    forms.put("ps", List.of(
        Form.of(literal("-eo"), literal(PS_COLUMNS), literal("--sort=-pcpu")),
        Form.of(literal("-eo"), literal(PS_COLUMNS), literal("--sort=-rss"))));
    forms.put("nproc", List.of(Form.of()));
    forms.put("uptime", List.of(Form.of()));
    forms.put("free", List.of(Form.of(literal("-k"))));
    forms.put("openssl", List.of(
        Form.of(literal("x509"), literal("-noout"), literal("-enddate"), literal("-subject"), literal("-in"), path(paths))));
    List<Form> configTest = configTest(paths);
    forms.put("nginx", configTest);
    forms.put("apache2ctl", configTest);
    forms.put("apachectl", configTest);
    forms.put(PHP_FPM, configTest);
    forms.put("sh", shell());
    forms.put("journalctl", journal());
    return forms;
  }

  /** Priorities that {@code journalctl --priority} accepts: the syslog names and numbers 0 to 7. */
  static final Pattern JOURNAL_PRIORITY = Pattern.compile("emerg|alert|crit|err|warning|notice|info|debug|[0-7]");
  /** A systemd unit name without globs: letters, digits and {@code @._-}, not starting with "-". */
  static final Pattern JOURNAL_UNIT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._-]{0,127}");
  /** A relative start time, such as {@code -1h}, {@code -30min} or {@code -7d}. */
  static final Pattern JOURNAL_SINCE = Pattern.compile("-[1-9][0-9]{0,3}(?:min|h|d)");
  /** Maximum number of journal lines one command reads. */
  static final int JOURNAL_MAX_LINES = 5_000;

  /**
   * {@code journalctl} reading the newest entries, in one fixed order: {@code --no-pager --quiet
   * --output=short-iso --priority=P --lines=N}, then optionally {@code --unit=UNIT},
   * {@code --dmesg} and {@code --since=-SPAN}. Only reading options exist here, so
   * {@code --vacuum-*}, {@code --rotate}, {@code --flush}, {@code --follow} and {@code --file}
   * never match.
   */
  private static List<Form> journal() {
    Token priority = pattern("--priority=P with P one of emerg..debug or 0..7",
        Pattern.compile("--priority=(?:" + JOURNAL_PRIORITY.pattern() + ")"), "");
    Token lines = new Token("--lines=N with N 1.." + JOURNAL_MAX_LINES, "", argument -> {
      if (!argument.startsWith("--lines=")) {
        return ArgvGrammar.Check.mismatch("--lines=N");
      }
      String value = argument.substring("--lines=".length());
      if (!value.matches("[1-9][0-9]{0,8}")) {
        return ArgvGrammar.Check.mismatch("--lines=N with N 1.." + JOURNAL_MAX_LINES);
      }
      return Integer.parseInt(value) <= JOURNAL_MAX_LINES
          ? ArgvGrammar.Check.MATCH
          : ArgvGrammar.Check.violation("--lines is above " + JOURNAL_MAX_LINES);
    });
    Token unit = pattern("--unit=UNIT with UNIT of [A-Za-z0-9@._-], no globs",
        Pattern.compile("--unit=" + JOURNAL_UNIT.pattern()), "");
    Token since = pattern("--since=-N followed by min, h or d", Pattern.compile("--since=" + JOURNAL_SINCE.pattern()), "");
    return List.of(Form.of(
        literal("--no-pager"), literal("--quiet"), literal("--output=short-iso"), priority, lines,
        optional(unit), optional(literal("--dmesg")), optional(since)));
  }

  /**
   * Returns the configuration test forms: {@code -t}, then optionally {@code -c PATH} and {@code -p PATH} in
   * either order. Used for the web servers, PHP-FPM and every program in {@code extra-binaries}.
   */
  static List<Form> configTest(PathRule paths) {
    Element configFile = optional(literal("-c"), path(paths));
    Element prefix = optional(literal("-p"), path(paths));
    return List.of(
        Form.of(literal("-t"), configFile, prefix),
        Form.of(literal("-t"), literal("-p"), path(paths), literal("-c"), path(paths)));
  }

  /**
   * {@code find} in its three read-only listings. Only {@code -printf} with a fixed format is an
   * action, so {@code -delete}, {@code -exec}, {@code -fprint} and the like never match. The
   * certificate listing uses {@code -xtype f}, which also takes symbolic links to regular files,
   * because certbot's {@code live/} directories hold links into {@code archive/}.
   *
   * <p>NOTE: without parentheses, find binds {@code -printf} to the last {@code -name}
   * alternative only, so in {@code -name A -o -name B -printf F} files matching only A are not
   * printed. The policy allows the form as the analyzers render it; grouping is theirs to fix.
   */
  private static List<Form> find(PathRule paths) {
    Token glob = pattern("a file name glob of [A-Za-z0-9._*-]", Pattern.compile("[A-Za-z0-9._*-]+"), "*");
    Form largeFiles = Form.of(
        oneOrMore(path(paths)),
        literal("-xdev"),
        literal("-type"), literal("f"),
        literal("-size"), pattern("a size +Nk", Pattern.compile("\\+(0|[1-9][0-9]{0,8})k"), ""),
        literal("-printf"), literal(LARGE_FILE_FORMAT));
    Form namedFiles = Form.of(
        oneOrMore(path(paths)),
        literal("-maxdepth"), number(1, 10),
        literal("-type"), literal("f"),
        literal("-name"), glob,
        zeroOrMore(literal("-o"), literal("-name"), glob),
        literal("-printf"), literal(NAMED_FILE_FORMAT));
    Form certificateFiles = Form.of(
        oneOrMore(path(paths)),
        literal("-maxdepth"), number(1, 10),
        literal("-xtype"), literal("f"),
        literal("-name"), glob,
        literal("-printf"), literal(NAMED_FILE_FORMAT));
    return List.of(largeFiles, namedFiles, certificateFiles);
  }

  /** {@code sh -c SCRIPT _ ARGS...} for each {@link ShellTemplate}, and nothing else. */
  private static List<Form> shell() {
    List<Form> forms = new ArrayList<>();
    for (ShellTemplate template : ShellTemplate.values()) {
      List<Element> elements = new ArrayList<>();
      elements.add(literal("-c"));
      elements.add(literal(template.script(), "the script of a ShellTemplate"));
      elements.add(literal("_"));
      List<Pattern> argumentPatterns = template.argumentPatterns();
      for (int i = 0; i < argumentPatterns.size(); i++) {
        Pattern argumentPattern = argumentPatterns.get(i);
        String expected = template.name() + " argument $" + (i + 1) + " matching [" + argumentPattern.pattern() + "]";
        elements.add(pattern(expected, argumentPattern, ""));
      }
      forms.add(new Form(elements));
    }
    return forms;
  }
}
