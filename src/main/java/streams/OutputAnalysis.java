package streams;

import fleet.CommandOutput;
import fleet.CommandRequest;
import fleet.CommandResult;

/** Turns a runner's raw output into the result the incident records: findings, redaction, excerpt. */
@FunctionalInterface
public interface OutputAnalysis {

  CommandResult analyze(CommandRequest request, CommandOutput output);
}
