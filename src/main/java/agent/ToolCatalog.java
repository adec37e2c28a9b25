package agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The tools a model may call during an investigation: one per analyzer, with typed parameters,
 * plus {@value #RUN_COMMAND} for a raw diagnostic command. {@link #plan} turns a tool call into a
 * {@link Brain.PlannedCommand}, or into an error the model can act on. Model output only ever
 * becomes argv elements, never a shell string, and every planned command still passes the
 * command policy before it runs.
 */
public final class ToolCatalog {

  /** The tool that runs one raw command given as argv. */
  public static final String RUN_COMMAND = "run_command";

  /** The final-answer tool, whose parameters are the answer schema; {@link PromptBuilder#submitInsightTool()} builds it. */
  public static final String SUBMIT_INSIGHT = "submit_insight";

  /** The optional parameter of every analyzer tool that states why the model calls it; kept out of the analyzer's params. */
  public static final String PURPOSE = "purpose";

  /** Tool names that the model APIs of OpenAI and Anthropic accept. */
  private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  /**
   * The result of planning one tool call: exactly one of {@code command} and {@code error} is
   * non-null.
   *
   * @param command the command to run
   * @param error why the call cannot run, in one sentence the model can act on
   */
  public record ToolPlan(Brain.PlannedCommand command, String error) {
    public ToolPlan {
      if ((command == null) == (error == null)) {
        throw new IllegalArgumentException("a tool plan has exactly one of command and error");
      }
    }

    static ToolPlan of(Brain.PlannedCommand command) {
      return new ToolPlan(command, null);
    }

    static ToolPlan error(String error) {
      return new ToolPlan(null, error);
    }
  }

  /** An analyzer offered as a tool, with the parameters its {@code render} reads. */
  private record AnalyzerTool(Analyzer analyzer, List<ToolParameter> parameters) {}

  private final StackProfile profile;
  private final Map<String, AnalyzerTool> analyzerTools;
  private final List<ToolParameter> runCommandParameters;
  private final List<ToolSpecification> specifications;

  /**
   * Builds the catalog for the analyzers and the stack profile they render with.
   *
   * @throws IllegalArgumentException when an analyzer's tool name is invalid, reserved or taken by another analyzer
   */
  public ToolCatalog(Analyzers analyzers, StackProfile profile) {
    this.profile = profile;
    Map<String, AnalyzerTool> tools = new LinkedHashMap<>();
    List<ToolSpecification> specs = new ArrayList<>();
    Map<String, AnalyzerToolDescriptions.Entry> described = AnalyzerToolDescriptions.forProfile(profile);

    for (Analyzer analyzer : analyzers.all()) {
      String name = toolName(analyzer.name());
      if (!TOOL_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("analyzer [" + analyzer.name() + "] gives the tool name [" + name
            + "], which is invalid: expected 1 to 64 characters of [a-zA-Z0-9_-]");
      }
      if (name.equals(RUN_COMMAND) || name.equals(SUBMIT_INSIGHT) || tools.containsKey(name)) {
        throw new IllegalArgumentException("analyzer [" + analyzer.name() + "] gives the tool name [" + name
            + "], which is reserved or already taken: rename the analyzer");
      }
      // NOTE: an analyzer without an entry in AnalyzerToolDescriptions is offered without parameters,
      // so the model cannot set any params its render reads.
      AnalyzerToolDescriptions.Entry entry = described.getOrDefault(analyzer.name(),
          new AnalyzerToolDescriptions.Entry("", List.of()));
      List<ToolParameter> parameters = new ArrayList<>(entry.parameters());
      parameters.add(ToolParameter.string(PURPOSE, false,
          "Why you run it: the hypothesis this checks. Recorded in the transcript.", "a short sentence"));
      tools.put(name, new AnalyzerTool(analyzer, List.copyOf(parameters)));
      String description = entry.guidance().isEmpty()
          ? analyzer.description()
          : analyzer.description() + " " + entry.guidance();
      specs.add(specification(name, description, parameters));
    }

    this.runCommandParameters = List.of(
        ToolParameter.strings("argv", true,
            "The program and its arguments, one element each, e.g. [\"nproc\"]. No shell: pipes, redirections, "
                + "globs and variables are passed literally.",
            "the program followed by its arguments"),
        ToolParameter.string(PURPOSE, true, "Why you run it: the hypothesis this checks.", "a short sentence"));
    specs.add(specification(RUN_COMMAND,
        "Runs one read-only diagnostic command, checked against the command policy; no shell. Use it only when no "
            + "other tool answers the question. A command the policy rejects comes back with the reason.",
        runCommandParameters));

    this.analyzerTools = Collections.unmodifiableMap(tools);
    this.specifications = List.copyOf(specs);
  }

  /** Returns the tool name of an analyzer: its name with {@code -} replaced by {@code _}. */
  public static String toolName(String analyzerName) {
    return analyzerName.replace('-', '_');
  }

  /** Returns the tool specifications: one per analyzer in the order of {@link Analyzers#all()}, then {@value #RUN_COMMAND}. */
  public List<ToolSpecification> specifications() {
    return specifications;
  }

  /** Returns the tool names in the order of {@link #specifications()}. */
  public List<String> toolNames() {
    return specifications.stream().map(ToolSpecification::name).toList();
  }

  /**
   * Plans the command of one tool call. {@code argumentsJson} is the JSON object the model sent;
   * null or blank counts as {@code {}}. For an analyzer tool the parameters, without {@value
   * #PURPOSE}, become {@link Brain.PlannedCommand#params()} and argv comes from the analyzer's
   * {@code render}. For {@value #RUN_COMMAND} the analyzer is {@link Analyzers#RAW} and argv is
   * used as given, because the command policy checks it later. Never throws.
   */
  public ToolPlan plan(String toolName, String argumentsJson) {
    boolean runCommand = RUN_COMMAND.equals(toolName);
    AnalyzerTool tool = toolName == null ? null : analyzerTools.get(toolName);
    if (!runCommand && tool == null) {
      return ToolPlan.error("Unknown tool [" + toolName + "]: call one of " + toolNames() + ".");
    }

    ObjectNode arguments;
    try {
      arguments = parseArguments(argumentsJson);
    } catch (IllegalArgumentException e) {
      return ToolPlan.error("The arguments of tool " + toolName + " are invalid: " + e.getMessage() + ".");
    }
    List<ToolParameter> parameters = runCommand ? runCommandParameters : tool.parameters();
    String problem = problem(toolName, parameters, arguments);
    if (problem != null) {
      return ToolPlan.error(problem);
    }

    if (runCommand) {
      List<String> argv = Json.texts(arguments, "argv");
      return ToolPlan.of(new Brain.PlannedCommand(Analyzers.RAW, Json.object(), argv, arguments.get(PURPOSE).asText()));
    }
    return planAnalyzer(toolName, tool, arguments);
  }

  private ToolPlan planAnalyzer(String toolName, AnalyzerTool tool, ObjectNode arguments) {
    ObjectNode params = arguments.deepCopy();
    params.remove(PURPOSE);
    List<String> argv;
    try {
      argv = tool.analyzer().render(params, profile);
    } catch (RuntimeException e) {
      return ToolPlan.error("Tool " + toolName + " cannot build its command: " + e.getMessage() + ".");
    }
    if (argv == null || argv.isEmpty() || argv.stream().anyMatch(Objects::isNull)) {
      return ToolPlan.error("Tool " + toolName + " cannot build its command: the analyzer rendered an empty argv or a null argument.");
    }
    String purpose = arguments.hasNonNull(PURPOSE) && !arguments.get(PURPOSE).asText().isBlank()
        ? arguments.get(PURPOSE).asText()
        : tool.analyzer().description();
    return ToolPlan.of(new Brain.PlannedCommand(tool.analyzer().name(), params, argv, purpose));
  }

  /** Parses the model's arguments into an object; the exception message describes the problem. */
  private static ObjectNode parseArguments(String argumentsJson) {
    if (argumentsJson == null || argumentsJson.isBlank()) {
      return Json.object();
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(argumentsJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("they are not valid JSON (" + e.getOriginalMessage()
          + "); send one JSON object such as {\"name\": \"value\"}");
    }
    if (node == null || !node.isObject()) {
      String kind = node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
      throw new IllegalArgumentException("expected a JSON object, got " + kind);
    }
    return (ObjectNode) node;
  }

  /** Returns the first problem with the arguments as a sentence, or null when they are valid. */
  private static String problem(String toolName, List<ToolParameter> parameters, ObjectNode arguments) {
    Set<String> known = new TreeSet<>();
    parameters.forEach(p -> known.add(p.name()));
    for (Iterator<String> names = arguments.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        return "Tool " + toolName + " has no parameter [" + name + "]: its parameters are " + known + ".";
      }
    }
    for (ToolParameter parameter : parameters) {
      String problem = parameter.problem(toolName, arguments.get(parameter.name()));
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static ToolSpecification specification(String name, String description, List<ToolParameter> parameters) {
    JsonObjectSchema.Builder schema = JsonObjectSchema.builder();
    List<String> required = new ArrayList<>();
    for (ToolParameter parameter : parameters) {
      schema.addProperty(parameter.name(), parameter.schema());
      if (parameter.required()) {
        required.add(parameter.name());
      }
    }
    schema.required(required).additionalProperties(false);
    return ToolSpecification.builder().name(name).description(description).parameters(schema.build()).build();
  }
}
