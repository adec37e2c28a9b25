package streams;

import agent.Json;
import fleet.CommandRequest;
import fleet.CommandResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executing side of the Redis Streams command queue. It reads commands with a consumer group
 * ({@code XREADGROUP}), takes the leases that keep the fleet-wide limits ({@link FleetLeases}),
 * runs each command through {@link CommandRun}, sends the result to its incident and acknowledges
 * the entry only after the incident confirmed it. An entry whose result is not confirmed in time
 * stays pending and runs again after claim-idle: commands are read-only and the incident records a
 * result only once. Entries left pending by an executor that died are reclaimed with
 * {@code XAUTOCLAIM} after claim-idle.
 *
 * <p>While it holds an entry (waiting for a lease, running or delivering), the executor resets the
 * entry's idle time every heartbeat ({@code XCLAIM} to itself), so other executors do not reclaim
 * it, and renews the leases of its running commands.
 */
public final class RedisCommandExecutor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisCommandExecutor.class);

  /** Acknowledges an entry and deletes it, which is how the stream is trimmed. KEYS: stream. ARGV: group, entry id. */
  private static final String ACK_SCRIPT = """
      local acknowledged = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      redis.call('XDEL', KEYS[1], ARGV[2])
      return acknowledged
      """;

  /** Delay before a failed read or reclaim is tried again. */
  private static final Duration READ_RETRY = Duration.ofSeconds(1);

  private enum Phase { WAITING, RUNNING, DELIVERING }

  /** An entry this executor holds. */
  private static final class Held {
    final String entryId;
    final CommandRequest request;
    final String leaseMember;
    volatile Phase phase = Phase.WAITING;

    Held(String entryId, CommandRequest request, String leaseMember) {
      this.entryId = entryId;
      this.request = request;
      this.leaseMember = leaseMember;
    }
  }

  private final RedisQueueSettings settings;
  private final ExecutionSettings limits;
  private final CommandRun commandRun;
  private final ResultRecipient recipient;
  private final String consumerName;
  private final io.lettuce.core.Consumer<String> consumer;
  /** Only for the blocking XREADGROUP, which holds its connection while it waits. */
  private final StatefulRedisConnection<String, String> reads;
  private final StatefulRedisConnection<String, String> commands;
  private final FleetLeases leases;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
  private final AtomicBoolean reading = new AtomicBoolean();
  private volatile String claimCursor = "0-0";
  private volatile boolean closed;

  private RedisCommandExecutor(RedisClient client, RedisQueueSettings settings, ExecutionSettings limits,
      CommandRun commandRun, ResultRecipient recipient) {
    this.settings = settings;
    this.limits = limits;
    this.commandRun = commandRun;
    this.recipient = recipient;
    this.consumerName = consumerName(settings.consumerPrefix());
    this.consumer = io.lettuce.core.Consumer.from(settings.group(), consumerName);
    this.reads = client.connect();
    this.commands = client.connect();
    this.leases = new FleetLeases(commands, settings, limits);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "fleet-sre-executor-" + consumerName);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Creates the consumer group when it is missing and starts reading, reclaiming and the
   * heartbeat. Blocks until the group exists.
   */
  public static RedisCommandExecutor start(RedisClient client, RedisQueueSettings settings, ExecutionSettings limits,
      CommandRun commandRun, ResultRecipient recipient) {
    RedisCommandExecutor executor = new RedisCommandExecutor(client, settings, limits, commandRun, recipient);
    executor.createGroup();
    long claimMillis = settings.claimInterval().toMillis();
    long heartbeatMillis = settings.heartbeat().toMillis();
    executor.scheduler.execute(executor::readMore);
    executor.scheduler.scheduleWithFixedDelay(executor::reclaim, claimMillis, claimMillis, TimeUnit.MILLISECONDS);
    executor.scheduler.scheduleWithFixedDelay(executor::heartbeat, heartbeatMillis, heartbeatMillis,
        TimeUnit.MILLISECONDS);
    LOG.info("command executor [{}] started on stream [{}], group [{}]: holds up to [{}] entries; fleet-wide "
            + "max-in-flight [{}], per host [{}], rate [{}/s]; reclaims entries idle for [{}]",
        executor.consumerName, settings.stream(), settings.group(), settings.maxHeld(), limits.maxInFlight(),
        limits.maxInFlightPerHost(), limits.ratePerSecond(), settings.claimIdle());
    return executor;
  }

  /** This executor's consumer name in the group. */
  public String consumerName() {
    return consumerName;
  }

  /** Entries this executor holds: waiting for a lease, running, or waiting for the incident's confirmation. */
  public int held() {
    return held.size();
  }

  // NOTE: nothing deletes the consumers of stopped executors (XGROUP DELCONSUMER), so the group's
  // consumer list grows by one name with every executor start.
  private static String consumerName(String prefix) {
    String start = prefix.isEmpty() ? System.getenv().getOrDefault("HOSTNAME", "executor") : prefix;
    return start + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private void createGroup() {
    try {
      commands.sync().xgroupCreate(XReadArgs.StreamOffset.from(settings.stream(), "0"), settings.group(),
          XGroupCreateArgs.Builder.mkstream());
      LOG.info("created consumer group [{}] on stream [{}]", settings.group(), settings.stream());
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  // ---- reading and reclaiming ----

  /** Reads new entries while this executor holds fewer than max-held. Only one read runs at a time. */
  private void readMore() {
    int room = settings.maxHeld() - held.size();
    if (closed || room <= 0 || !reading.compareAndSet(false, true)) {
      return;
    }
    XReadArgs arguments = XReadArgs.Builder.count(room).block(settings.readBlock());
    reads.async().xreadgroup(consumer, arguments, XReadArgs.StreamOffset.lastConsumed(settings.stream()))
        .whenCompleteAsync((messages, failure) -> {
          reading.set(false);
          if (failure != null) {
            if (!closed) {
              LOG.warn("executor [{}]: reading stream [{}] failed, retrying in [{}]", consumerName, settings.stream(),
                  READ_RETRY, failure);
              scheduler.schedule(this::readMore, READ_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
          }
          take(messages, false);
          readMore();
        }, scheduler);
  }

  /** Claims entries other executors (or this one) left pending for longer than claim-idle. */
  private void reclaim() {
    int room = settings.maxHeld() - held.size();
    if (closed || room <= 0) {
      return;
    }
    XAutoClaimArgs<String> arguments = XAutoClaimArgs.Builder.xautoclaim(consumer, settings.claimIdle(), claimCursor)
        .count(room);
    commands.async().xautoclaim(settings.stream(), arguments).whenCompleteAsync((claimed, failure) -> {
      if (failure != null) {
        LOG.warn("executor [{}]: reclaiming idle entries of stream [{}] failed", consumerName, settings.stream(),
            failure);
        return;
      }
      claimCursor = claimed.getId();
      take(claimed.getMessages(), true);
    }, scheduler);
  }

  private void take(List<StreamMessage<String, String>> messages, boolean reclaimed) {
    if (messages == null) {
      return;
    }
    for (StreamMessage<String, String> message : messages) {
      String entryId = message.getId();
      if (held.containsKey(entryId)) {
        continue;
      }
      String json = message.getBody() == null ? null : message.getBody().get("request");
      if (json == null) {
        LOG.error("executor [{}]: entry [{}] of stream [{}] has no request; acknowledging it unrun",
            consumerName, entryId, settings.stream());
        acknowledge(entryId, "", "");
        continue;
      }
      CommandRequest request;
      try {
        request = Json.mapper().readValue(json, CommandRequest.class);
      } catch (IOException | RuntimeException e) {
        LOG.error("executor [{}]: entry [{}] of stream [{}] (incident [{}] host [{}]) holds an invalid request; "
                + "acknowledging it unrun", consumerName, entryId, settings.stream(), message.getBody().get("incidentId"),
            message.getBody().get("host"), e);
        acknowledge(entryId, message.getBody().get("incidentId"), message.getBody().get("host"));
        continue;
      }
      Held entry = new Held(entryId, request, consumerName + "/" + entryId);
      held.put(entryId, entry);
      if (reclaimed) {
        LOG.info("executor [{}]: reclaimed entry [{}] idle for over [{}]: incident [{}] host [{}] command [{}]",
            consumerName, entryId, settings.claimIdle(), request.incidentId(), request.host(), request.commandId());
      }
      tryStart(entry);
    }
  }

  // ---- running ----

  /** Starts the entry once it holds the leases of its host and of the fleet; until then it waits. */
  private void tryStart(Held entry) {
    if (closed) {
      return;
    }
    CommandRequest request = entry.request;
    leases.acquire(entry.leaseMember, request.host()).whenCompleteAsync((grant, failure) -> {
      if (failure != null) {
        LOG.warn("executor [{}]: incident [{}] host [{}]: lease request for command [{}] failed; trying again",
            consumerName, request.incidentId(), request.host(), request.commandId(), failure);
        defer(entry);
      } else if (grant == FleetLeases.Grant.GRANTED) {
        run(entry);
      } else {
        LOG.debug("executor [{}]: incident [{}] host [{}]: command [{}] waits: {}",
            consumerName, request.incidentId(), request.host(), request.commandId(), grant);
        defer(entry);
      }
    }, scheduler);
  }

  /** Asks for the leases again after defer-delay and up to half of it again at random, so waiting entries spread out. */
  private void defer(Held entry) {
    if (closed) {
      return;
    }
    long delay = settings.deferDelay().toMillis();
    delay += ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    scheduler.schedule(() -> tryStart(entry), delay, TimeUnit.MILLISECONDS);
  }

  private void run(Held entry) {
    CommandRequest request = entry.request;
    entry.phase = Phase.RUNNING;
    LOG.debug("executor [{}]: incident [{}] host [{}]: running command [{}] of entry [{}]",
        consumerName, request.incidentId(), request.host(), request.commandId(), entry.entryId);
    commandRun.run(request).whenCompleteAsync((result, failure) -> {
      releaseLeases(entry);
      deliver(entry, result);
    }, scheduler);
  }

  private void releaseLeases(Held entry) {
    CommandRequest request = entry.request;
    leases.release(entry.leaseMember, request.host()).whenComplete((removed, failure) -> {
      if (failure != null) {
        LOG.warn("executor [{}]: incident [{}] host [{}]: releasing the leases of command [{}] failed; they lapse "
            + "within [{}]", consumerName, request.incidentId(), request.host(), request.commandId(),
            settings.leaseTtl(), failure);
      }
    });
  }

  /** Sends the result and acknowledges the entry once the incident confirms it; otherwise leaves it pending. */
  private void deliver(Held entry, CommandResult result) {
    CommandRequest request = entry.request;
    entry.phase = Phase.DELIVERING;
    CompletableFuture<?> confirmation;
    try {
      // A copy, so the timeout below does not complete a future the recipient may share.
      confirmation = recipient.deliver(result).toCompletableFuture().copy();
    } catch (RuntimeException e) {
      confirmation = CompletableFuture.failedFuture(e);
    }
    confirmation
        .orTimeout(settings.resultTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((confirmed, failure) -> {
          if (failure != null) {
            LOG.warn("executor [{}]: incident [{}] host [{}]: result of command [{}] not confirmed within [{}]; "
                    + "entry [{}] stays pending and runs again after [{}]: {}", consumerName, request.incidentId(),
                request.host(), request.commandId(), settings.resultTimeout(), entry.entryId, settings.claimIdle(),
                failure.toString());
            forget(entry);
            return;
          }
          acknowledge(entry.entryId, request.incidentId(), request.host());
          forget(entry);
        }, scheduler);
  }

  private void acknowledge(String entryId, String incidentId, String host) {
    String[] keys = {settings.stream()};
    String[] arguments = {settings.group(), entryId};
    commands.async().<Long>eval(ACK_SCRIPT, ScriptOutputType.INTEGER, keys, arguments).whenComplete((count, failure) -> {
      if (failure != null) {
        LOG.warn("executor [{}]: incident [{}] host [{}]: acknowledging entry [{}] failed; it runs again after [{}]",
            consumerName, incidentId, host, entryId, settings.claimIdle(), failure);
      } else if (count == 0) {
        LOG.debug("executor [{}]: entry [{}] was acknowledged before", consumerName, entryId);
      }
    });
  }

  /** Stops holding the entry: no more heartbeats for it, so it is reclaimed after claim-idle unless acknowledged. */
  private void forget(Held entry) {
    held.remove(entry.entryId);
    readMore();
  }

  // ---- heartbeat ----

  /** Resets the idle time of every held entry and renews the leases of running commands. */
  private void heartbeat() {
    if (held.isEmpty()) {
      return;
    }
    String[] ids = held.keySet().toArray(new String[0]);
    commands.async().xclaim(settings.stream(), consumer, XClaimArgs.Builder.minIdleTime(0).justid(), ids)
        .whenComplete((claimed, failure) -> {
          if (failure != null) {
            LOG.warn("executor [{}]: resetting the idle time of [{}] held entries failed; other executors may "
                + "reclaim and run them again", consumerName, ids.length, failure);
          }
        });
    for (Held entry : held.values()) {
      if (entry.phase != Phase.RUNNING) {
        continue;
      }
      CommandRequest request = entry.request;
      leases.renew(entry.leaseMember, request.host()).whenComplete((renewed, failure) -> {
        if (failure != null || !renewed) {
          LOG.warn("executor [{}]: incident [{}] host [{}]: renewing the leases of command [{}] failed; until it "
              + "ends, another command may start on the host", consumerName, request.incidentId(), request.host(),
              request.commandId(), failure);
        }
      });
    }
  }

  // ---- stopping ----

  /**
   * Stops reading and waits up to drain-timeout for running commands to be delivered and
   * acknowledged. Entries still held then stay pending; other executors reclaim them after claim-idle.
   */
  @Override
  public void close() {
    if (scheduler.isShutdown()) {
      return;
    }
    closed = true;
    LOG.info("command executor [{}] stopping: [{}] entries held", consumerName, held.size());
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    while (held.values().stream().anyMatch(entry -> entry.phase != Phase.WAITING) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    abort();
    if (!held.isEmpty()) {
      LOG.warn("command executor [{}] stopped with [{}] entries unacknowledged; other executors reclaim them after "
          + "[{}]", consumerName, held.size(), settings.claimIdle());
    } else {
      LOG.info("command executor [{}] stopped", consumerName);
    }
  }

  /**
   * Stops at once, as a crash would: no more reads, acknowledgements, heartbeats or lease releases.
   * Held entries stay pending and their leases lapse after lease-ttl.
   */
  void abort() {
    closed = true;
    if (scheduler.isShutdown()) {
      return;
    }
    scheduler.shutdownNow();
    reads.close();
    commands.close();
  }
}
