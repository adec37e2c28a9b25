package agent;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secrets in command output with placeholders {@code [SECRET-1]}, {@code [SECRET-2]}, ...
 * The same secret gets the same placeholder for the life of one instance, so a reader can still
 * see that two lines share a password without seeing it. Instances are thread-safe.
 *
 * <p>Covered: private key blocks; WordPress {@code define()} of passwords, keys and salts;
 * {@code .env} style assignments whose name contains PASSWORD, PASS, PWD, SECRET, TOKEN, KEY, SALT,
 * CREDENTIAL or DSN; {@code password=} / {@code passwd:} pairs; {@code --password=X} and MySQL's
 * {@code -pX}; the password in {@code scheme://user:pass@host}; {@code Authorization} and Bearer
 * tokens; AWS access key ids and secret keys; JSON web tokens; query string parameters named like
 * credentials;
 * {@code curl -u user:pass} and {@code sshpass -p}. Other secrets pass through unchanged.
 */
public final class Redactor {

  /** One rule: the group {@code group} of each match is replaced. */
  private record Rule(Pattern pattern, int group) {}

  private static final String NAME_SECRET = "(?:PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|KEY|SALT|CREDENTIALS?|DSN)";

  private static final List<Rule> RULES = List.of(
      // The body of a PEM private key block; a block cut off by the output cap is redacted to the end.
      new Rule(Pattern.compile(
          "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\\r?\\n?([\\s\\S]*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)"), 1),
      // define('DB_PASSWORD', 'value'); and the WordPress keys and salts.
      new Rule(Pattern.compile(
          "(?i)define\\(\\s*['\"][A-Z0-9_]*" + NAME_SECRET + "[A-Z0-9_]*['\"]\\s*,\\s*(['\"])((?:\\\\.|(?!\\1).)*)\\1"), 2),
      // NAME="value" or NAME='value' (.env, shell, systemd Environment=).
      new Rule(Pattern.compile(
          "(?i)\\b[A-Z0-9_]*" + NAME_SECRET + "[A-Z0-9_]*[ \\t]*=[ \\t]*\"((?:\\\\.|[^\"\\\\\\n])*)\""), 1),
      new Rule(Pattern.compile("(?i)\\b[A-Z0-9_]*" + NAME_SECRET + "[A-Z0-9_]*[ \\t]*=[ \\t]*'([^'\\n]*)'"), 1),
      // NAME=value unquoted, up to whitespace, a quote or a separator.
      new Rule(Pattern.compile("(?i)\\b[A-Z0-9_]*" + NAME_SECRET + "[A-Z0-9_]*[ \\t]*=[ \\t]*([^\\s\"'&;,]+)"), 1),
      // "password": "value" (JSON) and password: value (YAML, headers).
      new Rule(Pattern.compile("(?i)\"[a-z0-9_-]*(?:password|passwd|secret|token)[a-z0-9_-]*\"\\s*:\\s*\"((?:\\\\.|[^\"\\\\])*)\""), 1),
      new Rule(Pattern.compile("(?im)^\\s*[a-z0-9_-]*(?:password|passwd|secret|token)[a-z0-9_-]*[ \\t]*:[ \\t]*([^\\s\"'#]+)"), 1),
      // --password=value, --db-pass value.
      new Rule(Pattern.compile("(?i)--[a-z0-9-]*pass(?:word)?(?:=|[ \\t]+)([^\\s\"']+)"), 1),
      // mysql -pSECRET (the password is glued to -p) on a line that runs a MySQL or MariaDB client.
      new Rule(Pattern.compile("(?im)^.*\\b(?:mysql|mysqldump|mysqladmin|mysqlcheck|mysqlimport|mariadb|mariadb-dump)\\b.*?\\s(?-i:-p)([^\\s\"']+)"), 1),
      // curl -u user:password, wget --password is covered above.
      new Rule(Pattern.compile("(?im)^.*\\b(?:curl|wget)\\b.*?(?:\\s-u|--user)[ \\t]*[^:\\s]+:([^\\s\"']+)"), 1),
      // sshpass -p password
      new Rule(Pattern.compile("\\bsshpass[ \\t]+-p[ \\t]*([^\\s\"']+)"), 1),
      // scheme://user:password@host
      new Rule(Pattern.compile("\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]*:([^@\\s/]+)@"), 1),
      // Authorization: Bearer/Basic value, and a bare Bearer token.
      new Rule(Pattern.compile("(?i)\\bauthorization[ \\t]*[:=][ \\t]*(?:bearer|basic|token|digest)?[ \\t]*([A-Za-z0-9._~+/=-]+)"), 1),
      new Rule(Pattern.compile("(?i)\\bbearer[ \\t]+([A-Za-z0-9._~+/=-]{8,})"), 1),
      // aws_secret_access_key = value (credentials file) in any case.
      new Rule(Pattern.compile("(?i)aws_secret_access_key[ \\t]*[=:][ \\t]*([A-Za-z0-9/+=]+)"), 1),
      // AWS access key ids.
      new Rule(Pattern.compile("\\b((?:AKIA|ASIA)[0-9A-Z]{16})\\b"), 1),
      // JSON web tokens.
      new Rule(Pattern.compile("\\b(eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]+)"), 1),
      // Query string parameters named like credentials.
      new Rule(Pattern.compile(
          "(?i)[?&](?:token|access_token|refresh_token|api_key|apikey|key|secret|password|pass|pwd|auth|signature|sig|session|sessionid|sid)=([^&\\s\"#]+)"), 1));

  private final Map<String, String> placeholders = new ConcurrentHashMap<>();
  private final AtomicInteger counter = new AtomicInteger();

  /** Returns {@code text} with every secret found replaced by its placeholder; null stays null. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (Rule rule : RULES) {
      result = apply(rule, result);
    }
    return result;
  }

  private String apply(Rule rule, String text) {
    Matcher m = rule.pattern().matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    int last = 0;
    while (m.find()) {
      String secret = m.group(rule.group());
      if (secret == null || secret.isBlank() || secret.contains("[SECRET-") || secret.equalsIgnoreCase("null")) {
        continue;
      }
      // Whitespace around the value (the line breaks inside a key block) stays, so the layout survives.
      String core = secret.strip();
      int lead = secret.indexOf(core);
      out.append(text, last, m.start(rule.group()));
      out.append(secret, 0, lead);
      out.append(placeholderFor(core));
      out.append(secret, lead + core.length(), secret.length());
      last = m.end(rule.group());
    }
    if (last == 0) {
      return text;
    }
    out.append(text, last, text.length());
    return out.toString();
  }

  private String placeholderFor(String secret) {
    return placeholders.computeIfAbsent(secret, s -> "[SECRET-" + counter.incrementAndGet() + "]");
  }
}
