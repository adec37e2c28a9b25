package streams;

import agent.Json;
import fleet.CommandRequest;
import fleet.CommandResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatching side of the Redis Streams command queue: {@link #dispatch} adds each command to
 * the stream with {@code XADD}, and executors on any node ({@link RedisCommandExecutor}) run it and
 * send the result to the incident. Nothing here blocks the caller: the add is asynchronous, and the
 * full and saturated checks read a backlog estimate refreshed every backlog-refresh.
 *
 * <p>Trimming: the executor deletes an entry ({@code XDEL}) in the same script that acknowledges it
 * ({@code XACK}), so the stream holds only entries not yet acknowledged. {@code XADD} carries no
 * {@code MAXLEN}: a length cap, even an approximate one, removes the oldest entries whether or not
 * they were acknowledged, and those are the commands that have waited longest. The stream stays
 * bounded because dispatch refuses commands while the backlog is at queue-size.
 */
public final class RedisCommandQueue implements CommandDispatcher, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisCommandQueue.class);

  /**
   * Adds the command unless its id was added within dedup-ttl. The dedup key and the entry are
   * written by one script, so a retried XADD whose first attempt did reach Redis is dropped.
   * KEYS: dedup key, stream. ARGV: command id, dedup TTL in ms, incident id, host, request JSON.
   * Returns the entry id, or nil for a duplicate.
   */
  private static final String ADD_SCRIPT = """
      if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
        return redis.call('XADD', KEYS[2], '*', 'commandId', ARGV[1], 'incidentId', ARGV[3], 'host', ARGV[4],
          'request', ARGV[5])
      end
      return false
      """;

  private final RedisQueueSettings settings;
  private final int queueSize;
  private final double saturationThreshold;
  private final StatefulRedisConnection<String, String> connection;
  private final ScheduledExecutorService scheduler;

  /**
   * The stream length at the last refresh, and how many entries this node had added
   * ({@link #entriesAdded}) when that XLEN was sent.
   */
  private record Backlog(long streamLength, long entriesAddedBefore) {}

  private final AtomicReference<Backlog> backlog = new AtomicReference<>(new Backlog(0, 0));
  /** Entries this node has added since it started. */
  private final AtomicLong entriesAdded = new AtomicLong();
  /** Commands accepted whose XADD has not completed yet, retries included. */
  private final AtomicLong addsInFlight = new AtomicLong();
  private final AtomicBoolean refreshFailing = new AtomicBoolean();

  /** Commands accepted whose XADD failed and waits for its next attempt. */
  private final AtomicInteger retrying = new AtomicInteger();
  private volatile boolean closed;

  /**
   * Connects to Redis and starts refreshing the backlog estimate.
   *
   * @param queueSize backlog at which {@link #dispatch} refuses commands
   * @param saturationThreshold share of queueSize at which {@link #saturated()} turns true
   */
  public RedisCommandQueue(RedisClient client, RedisQueueSettings settings, int queueSize, double saturationThreshold) {
    this.settings = settings;
    this.queueSize = queueSize;
    this.saturationThreshold = saturationThreshold;
    this.connection = client.connect();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fleet-sre-redis-queue");
      thread.setDaemon(true);
      return thread;
    });
    long refreshMillis = settings.backlogRefresh().toMillis();
    scheduler.scheduleWithFixedDelay(this::refreshBacklog, 0, refreshMillis, TimeUnit.MILLISECONDS);
    LOG.info("command queue started on Redis stream [{}]: queue size [{}], backlog refreshed every [{}]",
        settings.stream(), queueSize, settings.backlogRefresh());
  }

  @Override
  public boolean dispatch(CommandRequest request, Consumer<CommandResult> onResult) {
    if (closed) {
      return false;
    }
    if (queued() >= queueSize) {
      LOG.debug("incident [{}] host [{}]: command [{}] not queued: backlog of stream [{}] is at [{}]",
          request.incidentId(), request.host(), request.commandId(), settings.stream(), queued());
      return false;
    }
    addsInFlight.incrementAndGet();
    add(request, Json.write(request), onResult, 1, System.nanoTime());
    return true;
  }

  @Override
  public boolean saturated() {
    return queued() >= saturationThreshold * queueSize;
  }

  /**
   * Estimates the entries not yet acknowledged, from all nodes: the stream length at the last
   * refresh, plus what this node added since and is adding now. An XADD that completes around the
   * XLEN may be counted twice until the next refresh, so the estimate errs high. Other nodes' adds
   * count only from the next refresh.
   */
  @Override
  public int queued() {
    Backlog last = backlog.get();
    long estimate = last.streamLength() + entriesAdded.get() - last.entriesAddedBefore() + addsInFlight.get();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, estimate));
  }

  private void add(CommandRequest request, String json, Consumer<CommandResult> onResult, int attempt, long firstNanos) {
    String[] keys = {settings.dedupKey(request.commandId()), settings.stream()};
    String[] arguments = {request.commandId(), String.valueOf(settings.dedupTtl().toMillis()), request.incidentId(),
        request.host(), json};
    connection.async().<String>eval(ADD_SCRIPT, ScriptOutputType.VALUE, keys, arguments).whenComplete((id, failure) -> {
      if (failure != null) {
        retryOrGiveUp(request, json, onResult, attempt, firstNanos, failure);
        return;
      }
      if (attempt > 1) {
        retrying.decrementAndGet();
      }
      if (id != null) {
        entriesAdded.incrementAndGet();
      }
      addsInFlight.decrementAndGet();
      if (id == null) {
        LOG.info("incident [{}] host [{}]: command [{}] was added before; duplicate dropped",
            request.incidentId(), request.host(), request.commandId());
      } else if (attempt > 1) {
        LOG.info("incident [{}] host [{}]: command [{}] added to stream [{}] as [{}] at attempt [{}]",
            request.incidentId(), request.host(), request.commandId(), settings.stream(), id, attempt);
      } else {
        LOG.debug("incident [{}] host [{}]: command [{}] added to stream [{}] as [{}]",
            request.incidentId(), request.host(), request.commandId(), settings.stream(), id);
      }
    });
  }

  /**
   * Schedules the next XADD attempt with exponential backoff. After add-give-up the command is
   * reported to its incident as failed, so the investigation goes on without it. When the queue is
   * closing the command is dropped with an error: the incident dispatches it again when it recovers.
   */
  private void retryOrGiveUp(CommandRequest request, String json, Consumer<CommandResult> onResult, int attempt,
      long firstNanos, Throwable failure) {
    if (attempt == 1) {
      retrying.incrementAndGet();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - firstNanos);
    if (closed) {
      retrying.decrementAndGet();
      addsInFlight.decrementAndGet();
      LOG.error("incident [{}] host [{}]: command [{}] not added to stream [{}] before shutdown; its incident "
          + "dispatches it again when it recovers", request.incidentId(), request.host(), request.commandId(),
          settings.stream(), failure);
      return;
    }
    if (elapsed.compareTo(settings.addGiveUp()) >= 0) {
      retrying.decrementAndGet();
      addsInFlight.decrementAndGet();
      LOG.error("incident [{}] host [{}]: command [{}] not added to stream [{}] after [{}] attempts in [{}]; "
          + "reporting it as failed", request.incidentId(), request.host(), request.commandId(), settings.stream(),
          attempt, elapsed, failure);
      onResult.accept(new CommandResult(request.commandId(), request.incidentId(), request.host(), "failed", -1, 0,
          "", false, "command queue unavailable: could not add the command to Redis stream " + settings.stream()
          + " within " + settings.addGiveUp() + ": " + failure, null));
      return;
    }
    Duration delay = backoff(attempt);
    LOG.warn("incident [{}] host [{}]: adding command [{}] to stream [{}] failed at attempt [{}], retrying in [{}]: {}",
        request.incidentId(), request.host(), request.commandId(), settings.stream(), attempt, delay, failure.toString());
    scheduler.schedule(() -> add(request, json, onResult, attempt + 1, firstNanos), delay.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** add-retry-min doubled for each attempt after the first, at most add-retry-max. */
  private Duration backoff(int attempt) {
    Duration delay = settings.addRetryMin();
    for (int i = 1; i < attempt && delay.compareTo(settings.addRetryMax()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(settings.addRetryMax()) < 0 ? delay : settings.addRetryMax();
  }

  /** Reads the stream length behind {@link #queued()}. */
  private void refreshBacklog() {
    long addedBefore = entriesAdded.get();
    connection.async().xlen(settings.stream()).whenComplete((length, failure) -> {
      if (failure != null) {
        if (refreshFailing.compareAndSet(false, true)) {
          LOG.warn("reading the length of stream [{}] failed; the backlog estimate counts only this node's "
              + "commands until Redis responds again", settings.stream(), failure);
        }
        return;
      }
      if (refreshFailing.compareAndSet(true, false)) {
        LOG.info("reading the length of stream [{}] works again: [{}] entries", settings.stream(), length);
      }
      backlog.set(new Backlog(length, addedBefore));
    });
  }

  /** Stops accepting commands. Commands still waiting for an XADD retry are dropped and logged. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    int dropped = retrying.get();
    if (dropped > 0) {
      LOG.error("command queue stopping with [{}] commands not added to stream [{}]; their incidents dispatch "
          + "them again when they recover", dropped, settings.stream());
    }
    connection.close();
    LOG.info("command queue on Redis stream [{}] stopped", settings.stream());
  }
}
