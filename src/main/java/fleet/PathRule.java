package fleet;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for path arguments: absolute, already normalised, under one of the allowed prefixes,
 * and not named like a private key. The check works on the string alone, because the files are on
 * the remote host.
 *
 * <p>NOTE: a symbolic link under an allowed prefix that points elsewhere is not detected here.
 * {@code find} does not follow links by default, but {@code cat}, {@code tail} and {@code du}
 * arguments that name a link are followed by the remote program.
 */
final class PathRule {

  /**
   * File names of private keys: certbot's {@code privkey.pem} and {@code privkey1.pem} in
   * {@code archive/}, and the usual {@code *.key}. Certificate directories sit next to their keys,
   * so a prefix that allows a certificate would otherwise allow its key too.
   */
  private static final Pattern PRIVATE_KEY_NAME = Pattern.compile("(?i)(privkey[0-9]*\\.pem|.*\\.key)");

  private final List<String> prefixes;

  /**
   * @param prefixes absolute directory or file paths, each already checked by {@link #checkPrefix}
   */
  PathRule(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  List<String> prefixes() {
    return prefixes;
  }

  /** Returns why {@code path} breaks the rule, or empty when it is allowed. */
  Optional<String> violation(String path) {
    Optional<String> shape = shapeViolation(path);
    if (shape.isPresent()) {
      return shape;
    }
    String withoutTrailingSlash = stripTrailingSlash(path);
    String name = withoutTrailingSlash.substring(withoutTrailingSlash.lastIndexOf('/') + 1);
    if (PRIVATE_KEY_NAME.matcher(name).matches()) {
      return Optional.of("path names a private key file, which no diagnostic command may read");
    }
    for (String prefix : prefixes) {
      if (withoutTrailingSlash.equals(prefix) || withoutTrailingSlash.startsWith(prefix + "/")) {
        return Optional.empty();
      }
    }
    return Optional.of("path is not under any of path-prefixes " + prefixes);
  }

  /**
   * Checks one configured prefix and returns it without a trailing slash.
   *
   * @throws IllegalArgumentException when the prefix is not an absolute, normalised path below the root
   */
  static String checkPrefix(String prefix) {
    Optional<String> shape = shapeViolation(prefix);
    if (shape.isPresent()) {
      throw new IllegalArgumentException(
          "fleet-sre.command-policy.path-prefixes: invalid prefix [" + prefix + "]: " + shape.get());
    }
    String stripped = stripTrailingSlash(prefix);
    if (stripped.equals("/")) {
      throw new IllegalArgumentException(
          "fleet-sre.command-policy.path-prefixes: the root [/] is not allowed as a prefix; list the directories to allow");
    }
    return stripped;
  }

  /**
   * Checks the form of a path without looking at prefixes. One trailing slash is accepted
   * ({@code nginx -p /etc/nginx/} is common). Empty, {@code .} and {@code ..} segments are not,
   * so a path that passes is already normalised and cannot climb out of a prefix.
   */
  static Optional<String> shapeViolation(String path) {
    if (!path.startsWith("/")) {
      return Optional.of("path is not absolute");
    }
    if (path.equals("/")) {
      return Optional.empty();
    }
    String body = stripTrailingSlash(path).substring(1);
    for (String segment : body.split("/", -1)) {
      if (segment.isEmpty()) {
        return Optional.of("path contains an empty segment (//)");
      }
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("path contains a [" + segment + "] segment");
      }
    }
    return Optional.empty();
  }

  private static String stripTrailingSlash(String path) {
    if (path.length() > 1 && path.endsWith("/")) {
      return path.substring(0, path.length() - 1);
    }
    return path;
  }
}
