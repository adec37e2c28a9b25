package streams;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.CompletionStage;

/**
 * The limits all executors share, kept in Redis: at most max-in-flight-per-host commands per host,
 * at most max-in-flight across the fleet, at most rate-per-second starts in any second. A running
 * command holds a lease in its host's sorted set and in the fleet-wide one, scored by its expiry
 * in Redis server time (so executors' clocks do not matter). The executor renews its leases while
 * the command runs and releases them when it ends. The leases of an executor that died lapse after
 * lease-ttl, and every acquire first removes lapsed leases.
 *
 * <p>NOTE: one script call touches the keys of a host, of the fleet and of the rate, which Redis
 * Cluster would place in different hash slots. The queue needs a single Redis primary.
 */
final class FleetLeases {

  /** Outcome of a lease request: granted, or the limit that stopped it. */
  enum Grant {
    GRANTED,
    HOST_BUSY,
    FLEET_BUSY,
    RATE_LIMITED
  }

  /**
   * KEYS: host leases, fleet leases, starts of the last second. ARGV: lease member, lease TTL in
   * ms, per-host cap, fleet cap, starts per second. Returns 1 (granted, or held already), -1 (host
   * at its cap), -2 (fleet at its cap) or -3 (rate reached).
   */
  private static final String ACQUIRE_SCRIPT = """
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
      if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
        return 1
      end
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
        return -1
      end
      if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
        return -2
      end
      redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1000)
      if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
        return -3
      end
      local expiry = now + tonumber(ARGV[2])
      redis.call('ZADD', KEYS[1], expiry, ARGV[1])
      redis.call('ZADD', KEYS[2], expiry, ARGV[1])
      redis.call('ZADD', KEYS[3], now, ARGV[1] .. '@' .. now)
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[2], ARGV[2])
      redis.call('PEXPIRE', KEYS[3], 2000)
      return 1
      """;

  /**
   * KEYS: host leases, fleet leases. ARGV: lease member, lease TTL in ms. Moves the expiry of both
   * leases if they are still held, and returns how many were (2 when both were).
   */
  private static final String RENEW_SCRIPT = """
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local expiry = now + tonumber(ARGV[2])
      local renewed = 0
      for i = 1, 2 do
        if redis.call('ZSCORE', KEYS[i], ARGV[1]) then
          redis.call('ZADD', KEYS[i], expiry, ARGV[1])
          redis.call('PEXPIRE', KEYS[i], ARGV[2])
          renewed = renewed + 1
        end
      end
      return renewed
      """;

  private final StatefulRedisConnection<String, String> connection;
  private final RedisQueueSettings settings;
  private final ExecutionSettings limits;

  FleetLeases(StatefulRedisConnection<String, String> connection, RedisQueueSettings settings, ExecutionSettings limits) {
    this.connection = connection;
    this.settings = settings;
    this.limits = limits;
  }

  CompletionStage<Grant> acquire(String member, String host) {
    String[] keys = {settings.hostKey(host), settings.inFlightKey(), settings.startsKey()};
    String[] arguments = {member, String.valueOf(settings.leaseTtl().toMillis()),
        String.valueOf(limits.maxInFlightPerHost()), String.valueOf(limits.maxInFlight()),
        String.valueOf(limits.ratePerSecond())};
    return connection.async().<Long>eval(ACQUIRE_SCRIPT, ScriptOutputType.INTEGER, keys, arguments)
        .thenApply(code -> switch (code.intValue()) {
          case 1 -> Grant.GRANTED;
          case -1 -> Grant.HOST_BUSY;
          case -2 -> Grant.FLEET_BUSY;
          case -3 -> Grant.RATE_LIMITED;
          default -> throw new IllegalStateException("lease script returned unexpected code " + code);
        });
  }

  /** Completes with true when both leases were still held and now expire lease-ttl from now. */
  CompletionStage<Boolean> renew(String member, String host) {
    String[] keys = {settings.hostKey(host), settings.inFlightKey()};
    String[] arguments = {member, String.valueOf(settings.leaseTtl().toMillis())};
    return connection.async().<Long>eval(RENEW_SCRIPT, ScriptOutputType.INTEGER, keys, arguments)
        .thenApply(renewed -> renewed == 2);
  }

  CompletionStage<Long> release(String member, String host) {
    return connection.async().zrem(settings.hostKey(host), member)
        .thenCombine(connection.async().zrem(settings.inFlightKey(), member), Long::sum);
  }
}
