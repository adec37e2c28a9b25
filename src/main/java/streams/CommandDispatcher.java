package streams;

import fleet.CommandRequest;
import fleet.CommandResult;
import java.util.function.Consumer;

/** Accepts commands for execution and reports each result once to the given callback. */
public interface CommandDispatcher {

  /**
   * Queues the command without blocking. Returns false, without calling the callback, when the
   * queue is full; the caller retries later. Once accepted, the command's result reaches the
   * incident at least once: through the callback with the in-memory queue, through an executor on
   * any node with the Redis queue (which also calls the callback when it gives up on a command).
   */
  boolean dispatch(CommandRequest request, Consumer<CommandResult> onResult);

  /** Whether the queue is filled past its saturation threshold, so ingest should push back. */
  boolean saturated();

  /** Commands accepted and not yet started, exact or estimated. */
  int queued();
}
