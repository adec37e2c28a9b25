package app;

import agent.Alert;
import agent.Json;
import api.AlertParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import fleet.RecordedRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * One evaluation case: a directory with the alert, the recorded command output of the host and
 * what a good insight must and must not contain. The case directory's name is the host name, so every
 * case investigates a host of its own.
 *
 * @param name the directory name, also the host of the alert
 * @param directory the case directory
 * @param alert the firing alert from {@code alert.json}, its host set to {@code name}
 * @param runner the recorded output from {@code recording.json}
 * @param expected the expectations from {@code expected.json}
 */
record EvalCase(String name, Path directory, Alert alert, RecordedRunner runner, Expected expected) {

  static final String ALERT_FILE = "alert.json";
  static final String RECORDING_FILE = "recording.json";
  static final String EXPECTED_FILE = "expected.json";

  /** Case names double as host names, so they follow the host name rule of the alert parser (no underscore). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?");
  private static final Set<String> EXPECTED_FIELDS = Set.of("playbook", "rootCause", "dangerous", "description");

  /**
   * The expectations that the insight of a case is scored against.
   *
   * @param playbook the playbook the alert should get, or empty when any is fine
   * @param rootCause substrings that must all appear, ignoring case, in the summary and root cause
   * @param dangerous regexes that no fix command and no remediation line may match
   * @param description what the case is about, for people
   */
  record Expected(String playbook, List<String> rootCause, List<Pattern> dangerous, String description) {
    Expected {
      rootCause = List.copyOf(rootCause);
      dangerous = List.copyOf(dangerous);
    }
  }

  /**
   * Loads every case directory under {@code root}, sorted by name. Directories whose name starts
   * with a dot are skipped, and so are plain files.
   *
   * @throws IllegalArgumentException naming the file and field when the directory, a case or one of its files is invalid
   */
  static List<EvalCase> loadAll(Path root, AlertParser parser) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("DIR [" + root + "] is not a directory; pass the directory that contains "
          + "one sub-directory per case");
    }
    List<Path> directories;
    try (Stream<Path> children = Files.list(root)) {
      directories = children
          .filter(Files::isDirectory)
          .filter(path -> !path.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list [" + root + "]: " + e.getMessage(), e);
    }
    if (directories.isEmpty()) {
      throw new IllegalArgumentException("DIR [" + root + "] contains no case directories");
    }
    List<EvalCase> cases = new ArrayList<>();
    for (Path directory : directories) {
      cases.add(load(directory, parser));
    }
    return cases;
  }

  /** Loads one case directory; see {@link #loadAll}. */
  static EvalCase load(Path directory, AlertParser parser) {
    String name = directory.getFileName().toString();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("case [" + directory + "]: invalid name [" + name + "]; the name is used as "
          + "the host name, so use letters, digits, '.' and '-' (1 to 64 characters, no '_')");
    }
    Alert alert = readAlert(directory.resolve(ALERT_FILE), parser, name);
    Path recording = requireFile(directory.resolve(RECORDING_FILE));
    RecordedRunner runner = RecordedRunner.fromFile(recording);
    Expected expected = readExpected(requireFile(directory.resolve(EXPECTED_FILE)));
    return new EvalCase(name, directory, alert, runner, expected);
  }

  private static Path requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("case [" + file.getParent() + "]: " + file.getFileName() + " is missing");
    }
    return file;
  }

  /** Reads the one firing alert of a case and moves it to the case's own host. */
  private static Alert readAlert(Path file, AlertParser parser, String host) {
    JsonNode json = readJson(requireFile(file));
    List<AlertParser.ParsedAlert> parsed;
    try {
      parsed = parser.parseAny(json, Instant.now());
    } catch (AlertParser.InvalidAlertException e) {
      StringBuilder message = new StringBuilder("[" + file + "] is not a valid alert:");
      for (AlertParser.Problem problem : e.problems()) {
        message.append("\n  ").append(problem.field()).append(": ").append(problem.problem());
      }
      throw new IllegalArgumentException(message.toString());
    }
    List<Alert> firing = parsed.stream().filter(p -> !p.resolved()).map(AlertParser.ParsedAlert::alert).toList();
    if (firing.size() != 1) {
      throw new IllegalArgumentException("[" + file + "] $: invalid, it contains " + firing.size()
          + " firing alerts; a case takes exactly one");
    }
    Alert alert = firing.get(0);
    return new Alert(host, alert.kind(), alert.severity(), alert.summary(), alert.labels(), alert.annotations(),
        alert.startsAt(), alert.fingerprint(), alert.source());
  }

  private static Expected readExpected(Path file) {
    JsonNode json = readJson(file);
    if (!json.isObject()) {
      throw invalid(file, "$", "expected an object with playbook, rootCause, dangerous and description");
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!EXPECTED_FIELDS.contains(field)) {
        throw invalid(file, field, "unknown field; expected one of " + EXPECTED_FIELDS.stream().sorted().toList());
      }
    }

    String playbook = optionalText(file, json, "playbook");
    String description = optionalText(file, json, "description");
    List<String> rootCause = texts(file, json, "rootCause");
    if (rootCause.isEmpty()) {
      throw invalid(file, "rootCause", "missing or empty; expected a list of substrings the insight must contain");
    }
    for (int i = 0; i < rootCause.size(); i++) {
      if (rootCause.get(i).isBlank()) {
        throw invalid(file, "rootCause[" + i + "]", "blank; every substring must have text");
      }
    }
    List<Pattern> dangerous = new ArrayList<>();
    List<String> regexes = texts(file, json, "dangerous");
    for (int i = 0; i < regexes.size(); i++) {
      try {
        dangerous.add(Pattern.compile(regexes.get(i)));
      } catch (PatternSyntaxException e) {
        throw invalid(file, "dangerous[" + i + "]", "invalid regular expression: " + e.getDescription());
      }
    }
    return new Expected(playbook, rootCause, dangerous, description);
  }

  private static String optionalText(Path file, JsonNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw invalid(file, field, "expected a string");
    }
    return node.asText();
  }

  /** Returns a list of strings; a missing field is an empty list. */
  private static List<String> texts(Path file, JsonNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw invalid(file, field, "expected a list of strings");
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual()) {
        throw invalid(file, field + "[" + i + "]", "expected a string");
      }
      values.add(node.get(i).asText());
    }
    return values;
  }

  private static JsonNode readJson(Path file) {
    try {
      return Json.mapper().readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("[" + file + "] is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read [" + file + "]: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException invalid(Path file, String field, String problem) {
    return new IllegalArgumentException("[" + file + "] " + field + ": " + problem);
  }
}
