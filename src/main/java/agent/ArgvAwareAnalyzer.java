package agent;

import com.fasterxml.jackson.databind.JsonNode;
import fleet.CommandOutput;
import java.util.List;

/**
 * An analyzer whose findings name something that only the argv contains, such as the file that
 * {@code tail} read or the service whose configuration test ran. {@link Analyzers#parse(String,
 * List, CommandOutput)} passes the argv to it; {@link Analyzer#parse(CommandOutput)} still works
 * and leaves those fields null.
 */
public interface ArgvAwareAnalyzer extends Analyzer {

  /** Parses the output of {@code argv}, as {@link Analyzer#parse(CommandOutput)} does, and fills the fields taken from argv. */
  JsonNode parse(List<String> argv, CommandOutput output);
}
