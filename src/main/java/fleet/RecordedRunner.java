package fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays recorded output instead of running a command on a host, so that an investigation can
 * be repeated offline. The first recording whose {@code match} regex is found in the argv joined
 * with single spaces supplies the output. An argv without a recording exits 127 with
 * {@value #NO_RECORDING}ARGV on stderr, as a shell does for a program that is not installed.
 *
 * <p>Output passes the same cap and control-character cleaning as the local runner's. A recording
 * whose latency reaches the request's timeout ends as {@code TIMED_OUT} once the timeout passes.
 */
public final class RecordedRunner implements CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(RecordedRunner.class);

  /** Start of the stderr of a command that has no recording. The joined argv follows it. */
  public static final String NO_RECORDING = "fleet-sre recorded runner: no recording for: ";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("match", "exitCode", "stdout", "stdoutFile", "stderr", "latencyMillis");

  /**
   * One recorded command.
   *
   * @param match regex searched in the argv joined with single spaces
   * @param exitCode the exit code to report
   * @param stdout standard output, before the output cap
   * @param stderr standard error, before the output cap
   * @param latency how long the command takes to complete
   */
  public record Recording(Pattern match, int exitCode, String stdout, String stderr, Duration latency) {
    public Recording {
      Objects.requireNonNull(match, "match must not be null");
      stdout = stdout == null ? "" : stdout;
      stderr = stderr == null ? "" : stderr;
      latency = latency == null ? Duration.ZERO : latency;
      if (latency.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative, got " + latency);
      }
    }
  }

  private final List<Recording> recordings;

  public RecordedRunner(List<Recording> recordings) {
    this.recordings = List.copyOf(recordings);
  }

  public List<Recording> recordings() {
    return recordings;
  }

  /**
   * Reads a recording file: a JSON list of objects with {@code match} (required), {@code exitCode},
   * {@code stdout} or {@code stdoutFile} (a path relative to the file's directory), {@code stderr}
   * and {@code latencyMillis}.
   *
   * @throws IllegalArgumentException naming the file and the field when the file cannot be read or is invalid
   */
  public static RecordedRunner fromFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read [" + file + "]: " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("[" + file + "] is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw invalid(file, "$", "expected a JSON list of recordings");
    }
    Path directory = file.toAbsolutePath().getParent();
    List<Recording> recordings = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      recordings.add(readRecording(file, directory, "$[" + i + "]", root.get(i)));
    }
    return new RecordedRunner(recordings);
  }

  private static Recording readRecording(Path file, Path directory, String at, JsonNode node) {
    if (!node.isObject()) {
      throw invalid(file, at, "expected an object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw invalid(file, at + "." + name, "unknown field; expected one of " + FIELDS.stream().sorted().toList());
      }
    }

    JsonNode match = node.get("match");
    if (match == null || !match.isTextual() || match.asText().isEmpty()) {
      throw invalid(file, at + ".match", "missing; expected a regular expression");
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(match.asText());
    } catch (PatternSyntaxException e) {
      throw invalid(file, at + ".match", "invalid regular expression: " + e.getDescription());
    }

    int exitCode = integer(file, at + ".exitCode", node.get("exitCode"), 0, 0, 255);
    long latency = integer(file, at + ".latencyMillis", node.get("latencyMillis"), 0, 0, 600_000);
    String stderr = text(file, at + ".stderr", node.get("stderr"));
    String stdout = text(file, at + ".stdout", node.get("stdout"));
    if (node.has("stdoutFile")) {
      if (node.has("stdout")) {
        throw invalid(file, at + ".stdoutFile", "set either stdout or stdoutFile, not both");
      }
      stdout = readOutputFile(file, directory, at + ".stdoutFile", text(file, at + ".stdoutFile", node.get("stdoutFile")));
    }
    return new Recording(pattern, exitCode, stdout, stderr, Duration.ofMillis(latency));
  }

  /** Reads a {@code stdoutFile}: a relative path that stays inside the recording's directory. */
  private static String readOutputFile(Path file, Path directory, String at, String relative) {
    Path path = Path.of(relative);
    if (relative.isEmpty() || path.isAbsolute()) {
      throw invalid(file, at, "[" + relative + "] is not a relative path");
    }
    Path resolved = directory.resolve(path).normalize();
    if (!resolved.startsWith(directory)) {
      throw invalid(file, at, "[" + relative + "] points outside " + directory);
    }
    try {
      return Files.readString(resolved, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw invalid(file, at, "cannot read [" + resolved + "]: " + e.getMessage());
    }
  }

  private static int integer(Path file, String at, JsonNode node, int fallback, int min, int max) {
    if (node == null) {
      return fallback;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < min || node.asInt() > max) {
      throw invalid(file, at, "expected an integer from " + min + " to " + max + ", got " + node);
    }
    return node.asInt();
  }

  private static String text(Path file, String at, JsonNode node) {
    if (node == null) {
      return "";
    }
    if (!node.isTextual()) {
      throw invalid(file, at, "expected a string, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return node.asText();
  }

  private static IllegalArgumentException invalid(Path file, String field, String problem) {
    return new IllegalArgumentException("[" + file + "] " + field + ": " + problem);
  }

  /** Returns the first recording whose regex is found in the argv joined with single spaces, or null. */
  public Recording find(List<String> argv) {
    String joined = String.join(" ", argv);
    for (Recording recording : recordings) {
      if (recording.match().matcher(joined).find()) {
        return recording;
      }
    }
    return null;
  }

  @Override
  public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
    if (outputCapBytes < 0) {
      String error = "invalid output cap [" + outputCapBytes + "]: must not be negative";
      LOG.error("command [{}] of incident [{}] on host [{}] not replayed: {}",
          request.commandId(), request.incidentId(), host.name(), error);
      return CompletableFuture.completedFuture(CommandOutput.failed(CommandOutput.Outcome.FAILED, error, Duration.ZERO));
    }
    Recording recording = find(request.argv());
    if (recording == null) {
      String joined = String.join(" ", request.argv());
      LOG.warn("command [{}] of incident [{}] on host [{}] has no recording: {}",
          request.commandId(), request.incidentId(), host.name(), joined);
      CappedOutputStream stderr = capped(NO_RECORDING + joined + "\n", outputCapBytes);
      return CompletableFuture.completedFuture(
          CommandOutput.exited(127, "", stderr.text(), stderr.truncated(), Duration.ZERO));
    }

    Duration timeout = request.timeout();
    if (recording.latency().compareTo(timeout) >= 0) {
      CommandOutput timedOut = new CommandOutput(CommandOutput.Outcome.TIMED_OUT, -1, "", "", false, timeout,
          "timed out after " + timeout.toMillis() + " ms");
      return later(timedOut, timeout);
    }
    CappedOutputStream stdout = capped(recording.stdout(), outputCapBytes);
    CappedOutputStream stderr = capped(recording.stderr(), outputCapBytes);
    CommandOutput output = CommandOutput.exited(recording.exitCode(), stdout.text(), stderr.text(),
        stdout.truncated() || stderr.truncated(), recording.latency());
    return later(output, recording.latency());
  }

  private static CompletionStage<CommandOutput> later(CommandOutput output, Duration delay) {
    if (delay.isZero()) {
      return CompletableFuture.completedFuture(output);
    }
    return CompletableFuture.supplyAsync(() -> output,
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
  }

  private static CappedOutputStream capped(String text, int capBytes) {
    CappedOutputStream stream = new CappedOutputStream(capBytes);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    stream.write(bytes, 0, bytes.length);
    return stream;
  }
}
