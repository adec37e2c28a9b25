package agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks on values that analyzers place into argv. A path must be absolute so that it can never
 * be read as an option ({@code -delete}) or a find expression ({@code !}, {@code (}).
 */
final class Argv {

  private Argv() {}

  static String absolutePath(String parameter, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("parameter [" + parameter + "] is missing: expected an absolute path");
    }
    if (!value.startsWith("/")) {
      throw new IllegalArgumentException(
          "parameter [" + parameter + "] is invalid: [" + value + "] is not an absolute path");
    }
    if (hasControlCharacter(value)) {
      throw new IllegalArgumentException(
          "parameter [" + parameter + "] is invalid: the path contains a control character");
    }
    for (String segment : value.split("/")) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException(
            "parameter [" + parameter + "] is invalid: [" + value + "] contains a '..' segment");
      }
    }
    return value;
  }

  static List<String> absolutePaths(String parameter, List<String> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("parameter [" + parameter + "] is empty: expected at least one absolute path");
    }
    List<String> checked = new ArrayList<>();
    for (String value : values) {
      checked.add(absolutePath(parameter, value));
    }
    return checked;
  }

  /** Checks a {@code find -name} pattern: a file name glob without a slash or a control character. */
  static String nameGlob(String parameter, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("parameter [" + parameter + "] is missing: expected a file name glob");
    }
    if (value.contains("/") || hasControlCharacter(value)) {
      throw new IllegalArgumentException(
          "parameter [" + parameter + "] is invalid: [" + value + "] must be a file name glob without '/'");
    }
    return value;
  }

  private static boolean hasControlCharacter(String value) {
    return value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
