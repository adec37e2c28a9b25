package streams;

import agent.Insight;
import agent.Json;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each insight to a Redis Stream with {@code XADD}, trimmed to about {@code maxLen}
 * entries ({@code MAXLEN ~}). Fields: {@code incidentId}, {@code host}, {@code status},
 * {@code schemaVersion} and {@code insight} (the JSON document).
 */
public final class RedisStreamInsightSink implements InsightSink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamInsightSink.class);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String stream;
  private final long maxLen;

  public RedisStreamInsightSink(RedisClient client, String stream, long maxLen) {
    this.client = client;
    this.connection = client.connect();
    this.stream = stream;
    this.maxLen = maxLen;
    LOG.info("insights go to Redis stream [{}] (MAXLEN ~ {})", stream, maxLen);
  }

  @Override
  public CompletionStage<Void> publish(Insight insight) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("incidentId", insight.incidentId());
    fields.put("host", insight.host());
    fields.put("status", insight.status());
    fields.put("schemaVersion", String.valueOf(insight.schemaVersion()));
    fields.put("insight", Json.write(insight));
    XAddArgs args = XAddArgs.Builder.maxlen(maxLen).approximateTrimming();
    return connection.async().xadd(stream, args, fields).thenAccept(id ->
        LOG.debug("incident [{}] host [{}]: insight added to stream [{}] as [{}]",
            insight.incidentId(), insight.host(), stream, id));
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
    LOG.info("Redis insight sink closed");
  }
}
