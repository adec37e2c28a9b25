package streams;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the Redis Streams command queue, from {@code fleet-sre.execution.redis}. Every key
 * the queue uses is derived from {@code stream}: {@code STREAM:dedup:COMMAND_ID},
 * {@code STREAM:host:HOST}, {@code STREAM:in-flight} and {@code STREAM:starts}.
 *
 * @param uri the Redis server
 * @param stream the stream commands are added to
 * @param group the consumer group all executors read with
 * @param consumerPrefix start of this node's consumer name; a random suffix makes it unique per instance
 * @param dedupTtl how long a command id is remembered, so a second dispatch of it is dropped
 * @param backlogRefresh how often the dispatcher reads the stream length behind its full and saturated checks
 * @param addRetryMin first delay before an XADD that failed is tried again; it doubles up to addRetryMax
 * @param addRetryMax longest delay between XADD attempts
 * @param addGiveUp after this long without a successful XADD the command is reported to its incident as failed
 * @param maxHeld entries one executor holds at once: running, or waiting for a lease
 * @param readBlock how long one XREADGROUP waits for new entries
 * @param claimIdle idle time after which another executor reclaims an entry with XAUTOCLAIM
 * @param claimInterval how often an executor looks for entries to reclaim
 * @param leaseTtl how long a per-host or fleet-wide lease lasts unless its executor renews it
 * @param deferDelay how long an entry that got no lease waits before it requests the leases again
 * @param resultTimeout how long an executor waits for the incident to confirm a result before
 *     leaving the entry pending for a rerun
 * @param drainTimeout how long a stopping executor waits for its running commands
 */
public record RedisQueueSettings(
    String uri,
    String stream,
    String group,
    String consumerPrefix,
    Duration dedupTtl,
    Duration backlogRefresh,
    Duration addRetryMin,
    Duration addRetryMax,
    Duration addGiveUp,
    int maxHeld,
    Duration readBlock,
    Duration claimIdle,
    Duration claimInterval,
    Duration leaseTtl,
    Duration deferDelay,
    Duration resultTimeout,
    Duration drainTimeout) {

  public RedisQueueSettings {
    if (maxHeld < 1) {
      throw new IllegalArgumentException("fleet-sre.execution.redis.max-held must be at least 1, got " + maxHeld);
    }
    if (heartbeat(claimIdle, leaseTtl).toMillis() < 1) {
      throw new IllegalArgumentException("fleet-sre.execution.redis.claim-idle and lease-ttl must be at least 3 ms, got "
          + claimIdle + " and " + leaseTtl);
    }
  }

  public static RedisQueueSettings fromConfig(Config c) {
    return new RedisQueueSettings(
        c.getString("uri"),
        c.getString("stream"),
        c.getString("group"),
        c.getString("consumer-prefix"),
        c.getDuration("dedup-ttl"),
        c.getDuration("backlog-refresh"),
        c.getDuration("add-retry-min"),
        c.getDuration("add-retry-max"),
        c.getDuration("add-give-up"),
        c.getInt("max-held"),
        c.getDuration("read-block"),
        c.getDuration("claim-idle"),
        c.getDuration("claim-interval"),
        c.getDuration("lease-ttl"),
        c.getDuration("defer-delay"),
        c.getDuration("result-timeout"),
        c.getDuration("drain-timeout"));
  }

  /**
   * Computes the interval at which an executor resets the idle time of its entries and renews
   * their leases: a third of the shorter of claim-idle and lease-ttl, so two missed beats keep them.
   */
  public Duration heartbeat() {
    return heartbeat(claimIdle, leaseTtl);
  }

  private static Duration heartbeat(Duration claimIdle, Duration leaseTtl) {
    Duration shorter = claimIdle.compareTo(leaseTtl) < 0 ? claimIdle : leaseTtl;
    return shorter.dividedBy(3);
  }

  String dedupKey(String commandId) {
    return stream + ":dedup:" + commandId;
  }

  String hostKey(String host) {
    return stream + ":host:" + host;
  }

  String inFlightKey() {
    return stream + ":in-flight";
  }

  String startsKey() {
    return stream + ":starts";
  }
}
