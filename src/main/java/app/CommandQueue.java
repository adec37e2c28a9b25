package app;

import com.typesafe.config.Config;
import fleet.CommandRunner;
import fleet.Inventory;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import streams.CommandDispatcher;
import streams.CommandPipeline;
import streams.CommandRun;
import streams.ExecutionSettings;
import streams.OutputAnalysis;
import streams.RedisCommandExecutor;
import streams.RedisCommandQueue;
import streams.RedisQueueSettings;
import streams.ResultRecipient;

/**
 * The command queue {@code fleet-sre.execution.queue} selects, and who runs its commands. With
 * {@code memory} this node's {@link CommandPipeline} queues and runs every command of this node.
 * With {@code redis} commands go to a Redis stream, and a node whose {@code fleet-sre.roles}
 * include {@code executor} also runs commands from it, for incidents on any node.
 */
final class CommandQueue implements AutoCloseable {

  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CompletableFuture<Void> closeFinished = new CompletableFuture<>();

  private static final Logger LOG = LoggerFactory.getLogger(CommandQueue.class);

  static final String EXECUTOR_ROLE = "executor";

  private final CommandDispatcher dispatcher;
  private final CommandPipeline pipeline;
  private final RedisClient redis;
  private final RedisQueueSettings redisSettings;
  private final boolean executorRole;
  private final ExecutionSettings limits;
  private final CommandRun commandRun;
  private RedisCommandExecutor executor;

  private CommandQueue(CommandDispatcher dispatcher, CommandPipeline pipeline, RedisClient redis,
      RedisQueueSettings redisSettings, boolean executorRole, ExecutionSettings limits, CommandRun commandRun) {
    this.dispatcher = dispatcher;
    this.pipeline = pipeline;
    this.redis = redis;
    this.redisSettings = redisSettings;
    this.executorRole = executorRole;
    this.limits = limits;
    this.commandRun = commandRun;
  }

  /** Starts the queue; with {@code redis}, the executor starts only with {@link #startExecutor}. */
  static CommandQueue start(ActorSystem<?> system, Config fleetSre, Inventory inventory, CommandRunner runner,
      OutputAnalysis analysis) {
    Config execution = fleetSre.getConfig("execution");
    ExecutionSettings limits = ExecutionSettings.fromConfig(execution);
    String kind = execution.getString("queue");
    switch (kind) {
      case "memory" -> {
        CommandPipeline pipeline = CommandPipeline.start(system, limits, inventory, runner, analysis);
        return new CommandQueue(pipeline, pipeline, null, null, false, limits, null);
      }
      case "redis" -> {
        RedisQueueSettings settings = RedisQueueSettings.fromConfig(execution.getConfig("redis"));
        List<String> roles = fleetSre.getStringList("roles");
        RedisClient redis = RedisClient.create(settings.uri());
        try {
          RedisCommandQueue queue = new RedisCommandQueue(redis, settings, limits.queueSize(),
              limits.saturationThreshold());
          CommandRun commandRun = new CommandRun(inventory, runner, analysis, limits.outputCapBytes());
          boolean executorRole = roles.contains(EXECUTOR_ROLE);
          if (!executorRole) {
            LOG.info("this node only dispatches commands: fleet-sre.roles {} lacks [{}]", roles, EXECUTOR_ROLE);
          }
          return new CommandQueue(queue, null, redis, settings, executorRole, limits, commandRun);
        } catch (RuntimeException e) {
          redis.shutdown();
          throw e;
        }
      }
      default -> throw new IllegalArgumentException(
          "fleet-sre.execution.queue: invalid value [" + kind + "]; expected memory or redis");
    }
  }

  CommandDispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * Starts this node's Redis executor when the queue is Redis and the node has the executor role.
   *
   * @param recipient builds where results go, given how long the executor waits for a confirmation
   */
  void startExecutor(Function<Duration, ResultRecipient> recipient) {
    if (redis != null && executorRole) {
      executor = RedisCommandExecutor.start(redis, redisSettings, limits, commandRun,
          recipient.apply(redisSettings.resultTimeout()));
    }
  }

  /**
   * Stops taking commands, then lets the executor finish what it runs. A second caller, such as
   * coordinated shutdown racing the engine's own close, waits until the first has finished.
   */
  @Override
  public void close() {
    if (!closeStarted.compareAndSet(false, true)) {
      closeFinished.join();
      return;
    }
    try {
      stop();
    } finally {
      closeFinished.complete(null);
    }
  }

  private void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
    if (dispatcher instanceof RedisCommandQueue queue) {
      queue.close();
    }
    if (executor != null) {
      executor.close();
    }
    if (redis != null) {
      redis.shutdown();
    }
  }
}
