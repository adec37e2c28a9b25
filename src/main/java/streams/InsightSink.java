package streams;

import agent.Insight;
import java.util.concurrent.CompletionStage;

/**
 * The downstream topic. Delivery is at least once: an incident that crashes between publishing
 * and recording the delivery publishes again, so consumers de-duplicate by incident id.
 */
public interface InsightSink extends AutoCloseable {

  CompletionStage<Void> publish(Insight insight);

  @Override
  default void close() {}
}
