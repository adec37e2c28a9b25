package streams;

import fleet.CommandRequest;
import fleet.CommandResult;
import fleet.CommandRunner;
import fleet.Inventory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.Supervision;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pipeline every command passes, on this node. Together it enforces a global rate of
 * command starts, a global cap on commands in flight, a cap per host, a timeout per command and
 * an output cap. It is backpressured: when the hosts are slow the bounded queue in front fills,
 * {@link #dispatch} rejects further commands and {@link #saturated()} signals ingest to push back.
 */
public final class CommandPipeline implements CommandDispatcher, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommandPipeline.class);

  private record Job(CommandRequest request, Consumer<CommandResult> onResult) {}

  private final ExecutionSettings settings;
  private final CommandRun commandRun;
  private final BoundedSourceQueue<Job> queue;
  private final CompletionStage<Done> completion;

  /**
   * The last command started or waiting in each partition that has one; its future completes when
   * that command has delivered its result. Entries are removed when their partition goes idle.
   */
  private final ConcurrentHashMap<String, CompletableFuture<Done>> partitionTails = new ConcurrentHashMap<>();

  private CommandPipeline(
      ActorSystem<?> system, ExecutionSettings settings, Inventory inventory, CommandRunner runner, OutputAnalysis analysis) {
    this.settings = settings;
    this.commandRun = new CommandRun(inventory, runner, analysis, settings.outputCapBytes());

    var materialized = Source.<Job>queue(settings.queueSize())
        .throttle(settings.ratePerSecond(), Duration.ofSeconds(1))
        .mapAsyncUnordered(settings.maxInFlight(), this::executeInPartition)
        .withAttributes(ActorAttributes.withSupervisionStrategy(failure -> {
          LOG.error("command pipeline element failed; resuming with the next command", failure);
          return Supervision.resume();
        }))
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    this.queue = materialized.first();
    this.completion = materialized.second();
    LOG.info("command pipeline started: max-in-flight [{}], per host [{}], rate [{}/s], queue [{}]",
        settings.maxInFlight(), settings.maxInFlightPerHost(), settings.ratePerSecond(), settings.queueSize());
  }

  public static CommandPipeline start(
      ActorSystem<?> system, ExecutionSettings settings, Inventory inventory, CommandRunner runner, OutputAnalysis analysis) {
    return new CommandPipeline(system, settings, inventory, runner, analysis);
  }

  @Override
  public boolean dispatch(CommandRequest request, Consumer<CommandResult> onResult) {
    QueueOfferResult result = queue.offer(new Job(request, onResult));
    if (result == QueueOfferResult.enqueued()) {
      return true;
    }
    LOG.debug("command [{}] for host [{}] not queued: {}", request.commandId(), request.host(), result);
    return false;
  }

  @Override
  public boolean saturated() {
    return queue.size() >= settings.saturationThreshold() * settings.queueSize();
  }

  /** Commands waiting to start. */
  @Override
  public int queued() {
    return queue.size();
  }

  /**
   * The partition a command runs in. Commands of one partition run one at a time, so with a cap
   * of one per host the host is the partition; with a cap of N a host's commands are spread over
   * N partitions by command id.
   */
  private String partition(Job job) {
    CommandRequest request = job.request();
    if (settings.maxInFlightPerHost() == 1) {
      return request.host();
    }
    return request.host() + "#" + Math.floorMod(request.commandId().hashCode(), settings.maxInFlightPerHost());
  }

  /**
   * Runs the job once the previous job of its partition has finished, so a partition runs one
   * command at a time. A job waiting for its partition takes one of the max-in-flight slots of
   * mapAsyncUnordered.
   *
   * <p>This replaces mapAsyncPartitionedUnordered, whose Pekko 1.2.1 implementation scans its whole
   * buffer on every completion: with a cap of 2,000 that costs more CPU than running the command.
   */
  private CompletionStage<Done> executeInPartition(Job job) {
    String partition = partition(job);
    CompletableFuture<Done> finished = new CompletableFuture<>();
    CompletableFuture<Done> previous = partitionTails.put(partition, finished);
    CompletionStage<Done> run;
    if (previous == null) {
      run = executeGuarded(job);
    } else {
      run = previous.thenCompose(ignored -> executeGuarded(job));
    }
    run.whenComplete((done, failure) -> {
      // Only the last job of a partition removes the entry; a later job has already replaced it.
      partitionTails.remove(partition, finished);
      finished.complete(Done.getInstance());
    });
    return finished;
  }

  /**
   * Runs the command and hands its result to the job's callback. The returned stage completes
   * even when the callback throws, so the partition is released.
   */
  private CompletionStage<Done> executeGuarded(Job job) {
    CommandRequest request = job.request();
    return commandRun.run(request).thenApply(result -> {
      try {
        job.onResult().accept(result);
      } catch (RuntimeException e) {
        LOG.error("incident [{}] host [{}]: result of command [{}] could not be delivered",
            request.incidentId(), request.host(), request.commandId(), e);
      }
      return Done.getInstance();
    });
  }

  /** Stops accepting commands; commands already queued still run. */
  @Override
  public void close() {
    queue.complete();
    LOG.info("command pipeline stopping");
  }

  public CompletionStage<Done> completion() {
    return completion;
  }
}
