package agent;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic checks that no remediation step of an insight could harm the server, whoever
 * wrote it (a playbook or a model). Each rule looks at the fix commands and the remediation
 * lines and names what it found; an insight with any finding is held for review.
 */
public final class RemediationGuard {

  /** One dangerous step: which rule, and the text that broke it. */
  public record Finding(String rule, String text) {
    @Override
    public String toString() {
      return rule + ": " + text;
    }
  }

  private static final Pattern RM = Pattern.compile("(?:^|[;&|]\\s*|\\s)(?:sudo\\s+(?:-\\S+\\s+)*)?rm\\s+([^;&|]*)");
  private static final Pattern RECURSIVE = Pattern.compile("(?:^|\\s)-(?:[a-zA-Z]*[rR][a-zA-Z]*)\\b|--recursive");
  private static final Pattern QUOTED_OR_BARE_PATH = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)");
  private static final Pattern DATABASE_FILE =
      Pattern.compile("(?i)(^/var/lib/(mysql|mariadb|postgresql|redis)(/|$))|ibdata\\d*$|ib_logfile\\d*$|\\.(ibd|frm|myd|myi)$");
  private static final Pattern APPLICATION_DATA =
      Pattern.compile("(?i)(wp-content/uploads|storage/app|/wp-includes|/wp-admin|\\.php$|/vendor(/|$)|/public_html/?$)");
  private static final Pattern CHMOD_WORLD = Pattern.compile("(?i)\\bchmod\\s+(-\\S+\\s+)*(0?777|a\\+rwx|o\\+w|ugo\\+rwx)\\b");
  private static final Pattern FIREWALL_OFF = Pattern.compile("(?i)\\bufw\\s+disable\\b|\\biptables\\s+(-\\S+\\s+)*-F\\b"
      + "|\\biptables\\s+-P\\s+INPUT\\s+ACCEPT\\b|\\bnft\\s+flush\\s+ruleset\\b"
      + "|\\bsystemctl\\s+(stop|disable|mask)\\s+(ufw|firewalld|nftables|iptables|netfilter-persistent)\\b");
  private static final Pattern DATABASE_STOP = Pattern.compile("(?i)\\bsystemctl\\s+(stop|disable|mask|kill)\\s+"
      + "(mysql|mariadb|mysqld|postgresql)\\b|\\bservice\\s+(mysql|mariadb|postgresql)\\s+stop\\b"
      + "|\\b(kill|pkill|killall)\\b[^;&|]*\\b(mysqld|mariadbd|postgres)\\b");
  private static final Pattern DATABASE_CAUSE = Pattern.compile("(?i)\\b(mysql|mysqld|mariadb|mariadbd|postgres|database)\\b");
  private static final Pattern SQL_DESTRUCTION =
      Pattern.compile("(?i)\\bDROP\\s+(TABLE|DATABASE|SCHEMA)\\b|\\bTRUNCATE\\s+TABLE\\b|\\bTRUNCATE\\s+`?\\w+`?\\s*;|\\bDELETE\\s+FROM\\s+\\S+\\s*;");
  private static final Pattern CONFIG_EDIT = Pattern.compile("(?i)(\\bsed\\s+(-\\S+\\s+)*-i\\S*\\s[^;&|]*|>>?\\s*'?|\\btee\\s+(-a\\s+)?'?"
      + "|\\b(sensible-editor|editor|vi|vim|nano)\\s+(\\+\\d+\\s+)?'?)(/etc/(nginx|apache2|php)/\\S*)");
  private static final Pattern CONFIG_TEST =
      Pattern.compile("(?i)\\b(nginx\\s+-t|apache2ctl\\s+(-t|configtest)|apachectl\\s+(-t|configtest)|php-fpm[\\d.]*\\s+-t)\\b");

  private RemediationGuard() {}

  /** Checks the fixes and remediation lines of an insight; returns every dangerous step, or nothing. */
  public static List<Finding> check(Insight insight) {
    List<Finding> findings = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    insight.fixes().forEach(fix -> steps.add(fix.command()));
    steps.addAll(insight.remediation());

    for (int i = 0; i < steps.size(); i++) {
      String step = steps.get(i);
      checkRemovals(step, findings);
      if (CHMOD_WORLD.matcher(step).find()) {
        findings.add(new Finding("world-writable permissions", step));
      }
      if (FIREWALL_OFF.matcher(step).find()) {
        findings.add(new Finding("firewall disabled", step));
      }
      if (DATABASE_STOP.matcher(step).find() && !DATABASE_CAUSE.matcher(insight.rootCause()).find()) {
        findings.add(new Finding("database stopped although the root cause is not the database", step));
      }
      if (SQL_DESTRUCTION.matcher(step).find()) {
        findings.add(new Finding("destructive SQL", step));
      }
      checkConfigEdit(steps, i, findings);
    }
    return findings;
  }

  private static void checkRemovals(String step, List<Finding> findings) {
    Matcher rm = RM.matcher(step);
    while (rm.find()) {
      String arguments = rm.group(1);
      boolean recursive = RECURSIVE.matcher(arguments).find();
      Matcher paths = QUOTED_OR_BARE_PATH.matcher(arguments);
      while (paths.find()) {
        String path = paths.group(1) != null ? paths.group(1) : paths.group(2) != null ? paths.group(2) : paths.group(3);
        if (path.startsWith("-")) {
          continue;
        }
        if (DATABASE_FILE.matcher(path).find()) {
          findings.add(new Finding("database files deleted", step));
        } else if (APPLICATION_DATA.matcher(path).find()) {
          findings.add(new Finding("application code or uploads deleted", step));
        } else if (recursive && broad(path)) {
          findings.add(new Finding("recursive delete of a broad path", step));
        }
      }
    }
  }

  /** A path of at most two segments ({@code /}, {@code /var}, {@code /var/www}), or a wildcard below one. */
  private static boolean broad(String path) {
    String trimmed = path.replaceAll("/+$", "");
    if (trimmed.isEmpty() || trimmed.equals("*") || trimmed.equals("~")) {
      return true;
    }
    String withoutGlob = trimmed.replaceAll("/\\*$", "");
    long segments = withoutGlob.chars().filter(c -> c == '/').count();
    return withoutGlob.startsWith("/") && segments <= 2 || trimmed.startsWith("~") || trimmed.startsWith("$");
  }

  /** An edit of a web server or PHP configuration must be followed by its configuration test. */
  private static void checkConfigEdit(List<String> steps, int index, List<Finding> findings) {
    Matcher edit = CONFIG_EDIT.matcher(steps.get(index));
    if (!edit.find()) {
      return;
    }
    String afterEdit = steps.get(index).substring(edit.end());
    if (CONFIG_TEST.matcher(afterEdit).find()) {
      return;
    }
    for (int later = index + 1; later < steps.size(); later++) {
      if (CONFIG_TEST.matcher(steps.get(later)).find()) {
        return;
      }
    }
    findings.add(new Finding("configuration edited without a configuration test after it", steps.get(index)));
  }
}
