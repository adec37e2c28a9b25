package agent;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.List;

/**
 * Deterministic diagnostic code: renders one fixed, safely built command and parses its output
 * into structured findings. The rendered argv still passes the command policy.
 */
public interface Analyzer {

  /** Stable name used in transcripts and tool calls, e.g. {@code disk-usage}. */
  String name();

  /** One sentence on what it finds, for people and for a model's tool list. */
  String description();

  /** Builds argv from the parameters and the stack profile. Never builds a shell string from parameters. */
  List<String> render(JsonNode params, StackProfile profile);

  /** Parses the full output. Must not throw on unexpected text: it reports what it could not parse in the findings. */
  JsonNode parse(CommandOutput output);
}
