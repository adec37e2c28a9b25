package fleet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A small grammar for the arguments of one program. A {@link Form} is a sequence of elements:
 * a {@link Token} matches one argument, a {@link Group} matches its body a bounded number of
 * times. Matching follows every way through the groups at once (a set of positions), so it needs
 * no backtracking limit. When no way consumes the whole argv, the failure is reported at the
 * furthest argument any form reached: that argument is the one that broke the rule.
 */
final class ArgvGrammar {

  /**
   * Characters that a shell would treat as syntax, plus space and quotes. No argument may contain
   * them unless its token explicitly permits some (a fixed literal, a {@code find -name} glob).
   * Control and non-ASCII characters are rejected earlier by {@link CommandPolicy}.
   */
  static final String SHELL_METACHARACTERS = ";|&$`<>()\\*?'\" {}[]~#!^";

  private ArgvGrammar() {}

  enum Kind {
    MATCH,
    /** The argument is not the kind of thing this token takes, so another form may take it. */
    MISMATCH,
    /** The argument is the kind of thing this token takes but breaks its rule. */
    VIOLATION
  }

  /** Result of testing one argument against one token. The {@code message} is empty for a match. */
  record Check(Kind kind, String message) {
    static final Check MATCH = new Check(Kind.MATCH, "");

    static Check mismatch(String expected) {
      return new Check(Kind.MISMATCH, expected);
    }

    static Check violation(String message) {
      return new Check(Kind.VIOLATION, message);
    }
  }

  sealed interface Element permits Token, Group {}

  /**
   * Matches exactly one argument.
   *
   * @param expected what the token takes, for messages, e.g. {@code "-xdev"} or {@code "a number 1..4"}
   * @param permittedMetacharacters the shell metacharacters this token lets through
   * @param rule the check that runs once the metacharacter check has passed
   */
  record Token(String expected, String permittedMetacharacters, Function<String, Check> rule) implements Element {

    Check check(String argument) {
      for (int i = 0; i < argument.length(); i++) {
        char c = argument.charAt(i);
        if (SHELL_METACHARACTERS.indexOf(c) >= 0 && permittedMetacharacters.indexOf(c) < 0) {
          return Check.violation("contains the shell metacharacter [" + c + "]");
        }
      }
      return rule.apply(argument);
    }
  }

  /** Matches {@code body} at least {@code min} and at most {@code max} times in a row. */
  record Group(List<Element> body, int min, int max) implements Element {
    Group {
      body = List.copyOf(body);
      if (body.isEmpty()) {
        throw new IllegalArgumentException("a group needs at least one element");
      }
    }
  }

  /** One accepted shape of a program's arguments, the program name itself excluded. */
  record Form(List<Element> elements) {
    Form {
      elements = List.copyOf(elements);
    }

    static Form of(Element... elements) {
      return new Form(List.of(elements));
    }
  }

  /**
   * The furthest argument that no form could take, and what the forms expected there.
   *
   * @param position index into the matched arguments of the offending argument; equal to their
   *     count when an argument is missing at the end
   * @param expected what the forms would have taken at that position
   * @param violations rules that the argument at that position broke; reported before {@code expected}
   */
  record Failure(int position, List<String> expected, List<String> violations) {}

  /** Creates a token that takes exactly {@code value}, including any metacharacters inside it. */
  static Token literal(String value) {
    return literal(value, value);
  }

  /** Creates a token like {@link #literal(String)} that messages name {@code description}, for long values. */
  static Token literal(String value, String description) {
    return new Token(
        description,
        metacharactersIn(value),
        argument -> argument.equals(value) ? Check.MATCH : Check.mismatch(description));
  }

  /** Creates a token that takes an argument matching {@code pattern} in full. */
  static Token pattern(String expected, Pattern pattern, String permittedMetacharacters) {
    return new Token(
        expected,
        permittedMetacharacters,
        argument -> pattern.matcher(argument).matches() ? Check.MATCH : Check.mismatch(expected));
  }

  /** Creates a token that takes a decimal number from {@code min} to {@code max}, without leading zeros. */
  static Token number(int min, int max) {
    String expected = "a number " + min + ".." + max;
    Pattern digits = Pattern.compile("0|[1-9][0-9]{0,8}");
    return new Token(expected, "", argument -> {
      if (!digits.matcher(argument).matches()) {
        return Check.mismatch(expected);
      }
      int value = Integer.parseInt(argument);
      if (value < min || value > max) {
        return Check.violation("number is out of the range " + min + ".." + max);
      }
      return Check.MATCH;
    });
  }

  /** Creates a token that takes a path that {@code rule} allows. An argument starting with "-" is taken for an option. */
  static Token path(PathRule rule) {
    String expected = "a path under one of path-prefixes";
    return new Token(expected, "", argument -> {
      if (argument.startsWith("-")) {
        return Check.mismatch(expected);
      }
      return rule.violation(argument).map(Check::violation).orElse(Check.MATCH);
    });
  }

  static Group optional(Element... body) {
    return new Group(List.of(body), 0, 1);
  }

  static Group zeroOrMore(Element... body) {
    return new Group(List.of(body), 0, Integer.MAX_VALUE);
  }

  static Group oneOrMore(Element... body) {
    return new Group(List.of(body), 1, Integer.MAX_VALUE);
  }

  /** Returns empty when one of {@code forms} matches all of {@code arguments}, else the furthest failure. */
  static Optional<Failure> match(List<Form> forms, List<String> arguments) {
    Matching matching = new Matching(arguments);
    for (Form form : forms) {
      Set<Integer> ends = matching.advance(form.elements(), Set.of(0));
      if (ends.contains(arguments.size())) {
        return Optional.empty();
      }
      for (int end : ends) {
        matching.record(end, Check.mismatch("no further argument"));
      }
    }
    return Optional.of(matching.failure());
  }

  private static String metacharactersIn(String value) {
    StringBuilder found = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (SHELL_METACHARACTERS.indexOf(c) >= 0) {
        found.append(c);
      }
    }
    return found.toString();
  }

  /** State of one match: the furthest failing position and what was expected or broken there. */
  private static final class Matching {
    private final List<String> arguments;
    private int furthest = -1;
    private final Set<String> expected = new LinkedHashSet<>();
    private final Set<String> violations = new LinkedHashSet<>();

    Matching(List<String> arguments) {
      this.arguments = arguments;
    }

    Set<Integer> advance(List<Element> sequence, Set<Integer> from) {
      Set<Integer> current = from;
      for (Element element : sequence) {
        if (current.isEmpty()) {
          break;
        }
        current = advance(element, current);
      }
      return current;
    }

    private Set<Integer> advance(Element element, Set<Integer> from) {
      if (element instanceof Token token) {
        Set<Integer> next = new TreeSet<>();
        for (int position : from) {
          if (position >= arguments.size()) {
            record(position, Check.mismatch(token.expected()));
            continue;
          }
          Check check = token.check(arguments.get(position));
          if (check.kind() == Kind.MATCH) {
            next.add(position + 1);
          } else {
            record(position, check);
          }
        }
        return next;
      }
      // Every body consumes at least one argument, so the loop ends once the positions run past the end.
      Group group = (Group) element;
      Set<Integer> reached = new TreeSet<>();
      if (group.min() == 0) {
        reached.addAll(from);
      }
      Set<Integer> current = from;
      for (int count = 1; count <= group.max() && !current.isEmpty(); count++) {
        current = advance(group.body(), current);
        if (count >= group.min()) {
          reached.addAll(current);
        }
      }
      return reached;
    }

    void record(int position, Check check) {
      if (position > furthest) {
        furthest = position;
        expected.clear();
        violations.clear();
      }
      if (position == furthest) {
        if (check.kind() == Kind.VIOLATION) {
          violations.add(check.message());
        } else {
          expected.add(check.message());
        }
      }
    }

    Failure failure() {
      return new Failure(furthest, new ArrayList<>(expected), new ArrayList<>(violations));
    }
  }
}
