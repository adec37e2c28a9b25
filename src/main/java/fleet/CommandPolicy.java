package fleet;

import com.typesafe.config.Config;
import fleet.ArgvGrammar.Failure;
import fleet.ArgvGrammar.Form;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether an argv may run on a host. Every command passes here before dispatch, whoever
 * planned it. An argv is allowed only when all of these hold:
 *
 * <ul>
 *   <li>every argument is printable ASCII, not empty and within the length limit;
 *   <li>the program is an allowed bare name ({@code binaries}) or a listed absolute path
 *       ({@code extra-binaries}), optionally after {@code sudo -n} when {@code allow-sudo} is set;
 *   <li>the arguments match one of the program's fixed forms ({@link CommandForms}), where each
 *       argument may contain a shell metacharacter only if its form permits that character, and
 *       each path is absolute, normalised and under one of {@code path-prefixes}.
 * </ul>
 *
 * <p>A rejection's reason names the offending argument, its position in argv and the rule.
 */
public final class CommandPolicy {

  /**
   * The decision on one argv.
   *
   * @param allowed whether the argv may run
   * @param reason the offending argument and the rule it broke, or empty when allowed
   */
  public record Verdict(boolean allowed, String reason) {

    public static Verdict allow() {
      return new Verdict(true, "");
    }

    public static Verdict reject(String reason) {
      return new Verdict(false, reason);
    }
  }

  /** Maximum number of characters of an argument quoted in a reason, so that reasons stay one readable line. */
  private static final int MAX_QUOTED_LENGTH = 120;

  private final Map<String, List<Form>> formsByBinary;
  private final List<Form> extraBinaryForms;
  private final Set<String> extraBinaries;
  private final boolean allowSudo;
  private final int maxArguments;
  private final int maxArgumentLength;

  private CommandPolicy(
      Map<String, List<Form>> formsByBinary,
      List<Form> extraBinaryForms,
      Set<String> extraBinaries,
      boolean allowSudo,
      int maxArguments,
      int maxArgumentLength) {
    this.formsByBinary = Map.copyOf(formsByBinary);
    this.extraBinaryForms = extraBinaryForms;
    this.extraBinaries = Set.copyOf(extraBinaries);
    this.allowSudo = allowSudo;
    this.maxArguments = maxArguments;
    this.maxArgumentLength = maxArgumentLength;
  }

  /**
   * Reads a {@code fleet-sre.command-policy} block (see {@code policy.conf} for the keys).
   *
   * @throws IllegalArgumentException when a binary has no built-in rule, or a prefix or extra binary is not a clean absolute path
   * @throws com.typesafe.config.ConfigException when a key is missing or has the wrong type
   */
  public static CommandPolicy fromConfig(Config policy) {
    List<String> prefixes = new ArrayList<>();
    for (String prefix : policy.getStringList("path-prefixes")) {
      prefixes.add(PathRule.checkPrefix(prefix));
    }
    PathRule paths = new PathRule(prefixes);

    Map<String, List<Form>> builtIn = CommandForms.builtIn(paths);
    Map<String, List<Form>> allowed = new LinkedHashMap<>();
    for (String binary : policy.getStringList("binaries")) {
      List<Form> forms = builtIn.get(binary);
      if (forms == null) {
        throw new IllegalArgumentException(
            "fleet-sre.command-policy.binaries: no built-in rule for [" + binary + "]; known programs are " + builtIn.keySet());
      }
      allowed.put(binary, forms);
    }

    Set<String> extraBinaries = new LinkedHashSet<>();
    for (String binary : policy.getStringList("extra-binaries")) {
      extraBinaries.add(checkExtraBinary(binary));
    }

    int maxArguments = policy.getInt("max-arguments");
    int maxArgumentLength = policy.getInt("max-argument-length");
    if (maxArguments < 1 || maxArgumentLength < 1) {
      throw new IllegalArgumentException(
          "fleet-sre.command-policy: max-arguments and max-argument-length must be at least 1");
    }
    return new CommandPolicy(
        allowed,
        CommandForms.configTest(paths),
        extraBinaries,
        policy.getBoolean("allow-sudo"),
        maxArguments,
        maxArgumentLength);
  }

  /** Checks {@code argv}, program first. Never throws: a null or malformed argv is rejected. */
  public Verdict check(List<String> argv) {
    if (argv == null || argv.isEmpty()) {
      return Verdict.reject("argv is empty");
    }
    if (argv.size() > maxArguments) {
      return Verdict.reject("argv has " + argv.size() + " arguments; max-arguments is " + maxArguments);
    }
    for (int position = 0; position < argv.size(); position++) {
      Optional<String> problem = characterProblem(argv.get(position));
      if (problem.isPresent()) {
        return Verdict.reject(describe(argv, position) + problem.get());
      }
    }

    if (!argv.get(0).equals("sudo")) {
      return checkProgram(argv, 0);
    }
    if (!allowSudo) {
      return Verdict.reject(describe(argv, 0) + "sudo is not allowed (allow-sudo = false)");
    }
    if (argv.size() < 3) {
      return Verdict.reject("missing command after [sudo] at position 0: sudo is allowed only as \"sudo -n COMMAND\"");
    }
    if (!argv.get(1).equals("-n")) {
      return Verdict.reject(describe(argv, 1) + "sudo is allowed only with the single option -n");
    }
    if (argv.get(2).equals("sudo")) {
      return Verdict.reject(describe(argv, 2) + "sudo may appear only once");
    }
    return checkProgram(argv, 2);
  }

  /** Checks the program at {@code start} and its arguments after it. */
  private Verdict checkProgram(List<String> argv, int start) {
    String binary = argv.get(start);
    Optional<List<Form>> forms = formsOf(binary);
    if (forms.isEmpty()) {
      String rule = binary.startsWith("/")
          ? "absolute program path is not listed in extra-binaries"
          : "program is not in the allowlist (binaries)";
      return Verdict.reject(describe(argv, start) + rule);
    }

    List<String> arguments = argv.subList(start + 1, argv.size());
    Optional<Failure> failure = ArgvGrammar.match(forms.get(), arguments);
    if (failure.isEmpty()) {
      return Verdict.allow();
    }
    return Verdict.reject(explain(argv, start, failure.get()));
  }

  private Optional<List<Form>> formsOf(String binary) {
    if (binary.startsWith("/")) {
      return extraBinaries.contains(binary) ? Optional.of(extraBinaryForms) : Optional.empty();
    }
    // The program name is matched exactly, so it cannot carry metacharacters or a path.
    List<Form> forms = formsByBinary.get(binary);
    if (forms == null && CommandForms.VERSIONED_PHP_FPM.matcher(binary).matches()) {
      forms = formsByBinary.get(CommandForms.PHP_FPM);
    }
    return Optional.ofNullable(forms);
  }

  private static String explain(List<String> argv, int start, Failure failure) {
    String binary = argv.get(start);
    String rule = failure.violations().isEmpty()
        ? "expected " + String.join(" or ", failure.expected())
        : String.join("; ", failure.violations());
    int position = start + 1 + failure.position();
    if (position >= argv.size()) {
      return binary + ": missing argument after [" + quote(argv.get(argv.size() - 1)) + "] at position "
          + (argv.size() - 1) + ": " + rule;
    }
    return describe(argv, position) + binary + ": " + rule;
  }

  /** Rejects text that a terminal, a log or a shell could read differently from what it shows. */
  private Optional<String> characterProblem(String argument) {
    if (argument == null) {
      return Optional.of("null arguments are not allowed");
    }
    if (argument.isEmpty()) {
      return Optional.of("empty arguments are not allowed");
    }
    if (argument.length() > maxArgumentLength) {
      return Optional.of("longer than max-argument-length (" + maxArgumentLength + ")");
    }
    for (int i = 0; i < argument.length(); i++) {
      char c = argument.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return Optional.of(String.format("contains the control character U+%04X", (int) c));
      }
      if (c > 0x7e) {
        return Optional.of(String.format("contains the non-ASCII character U+%04X", (int) c));
      }
    }
    return Optional.empty();
  }

  private static String describe(List<String> argv, int position) {
    String argument = argv.get(position);
    if (argument == null) {
      return "argument at position " + position + ": ";
    }
    return "argument [" + quote(argument) + "] at position " + position + ": ";
  }

  /**
   * Renders an argument for a reason. A character outside printable ASCII becomes a backslash, a
   * {@code u} and its four hex digits, so a reason is always one line and shows what was really
   * there. Text past 120 characters is cut and marked with "...".
   */
  static String quote(String argument) {
    StringBuilder quoted = new StringBuilder();
    for (int i = 0; i < argument.length(); i++) {
      if (quoted.length() >= MAX_QUOTED_LENGTH) {
        return quoted.append("...").toString();
      }
      char c = argument.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        quoted.append(String.format("\\u%04X", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.toString();
  }

  private static String checkExtraBinary(String binary) {
    boolean clean = binary.chars().allMatch(c -> c > 0x20 && c < 0x7f && ArgvGrammar.SHELL_METACHARACTERS.indexOf(c) < 0)
        && !binary.endsWith("/")
        && PathRule.shapeViolation(binary).isEmpty();
    if (!clean) {
      throw new IllegalArgumentException(
          "fleet-sre.command-policy.extra-binaries: [" + binary + "] is not a normalised absolute path "
              + "of printable characters without shell metacharacters");
    }
    return binary;
  }
}
