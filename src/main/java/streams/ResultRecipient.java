package streams;

import fleet.CommandResult;
import java.util.concurrent.CompletionStage;

/** Destination of an executor's results: normally the incident, through cluster sharding. */
@FunctionalInterface
public interface ResultRecipient {

  /**
   * Sends the result. The returned stage completes once the incident has recorded it or no longer
   * needs it. It fails, or never completes, when the incident does not confirm.
   */
  CompletionStage<?> deliver(CommandResult result);
}
