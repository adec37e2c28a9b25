package actors;

import agent.Brain;
import agent.Judge;
import fleet.CommandPolicy;
import fleet.CommandResult;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import streams.CommandDispatcher;
import streams.InsightSink;

/**
 * What an incident entity works with. One instance is shared by all incidents of a node.
 *
 * @param brain decides each step
 * @param judge checks the insight before it is published
 * @param policy checks every command before it is queued
 * @param dispatcher the command pipeline
 * @param sink the downstream topic
 * @param settings budgets and timeouts
 * @param clock time source, replaceable in tests
 * @param blockingExecutor where brain decisions run, off the actor threads
 * @param resultRoute how a command result reaches its incident (through sharding, so it finds the
 *     incident wherever it lives now)
 * @param onFinished called with the dedup key and incident id when an incident needs no more work
 * @param reviews where held and sampled insights go for human review
 */
public record IncidentServices(
    Brain brain,
    Judge judge,
    CommandPolicy policy,
    CommandDispatcher dispatcher,
    InsightSink sink,
    IncidentSettings settings,
    Clock clock,
    Executor blockingExecutor,
    Consumer<CommandResult> resultRoute,
    BiConsumer<String, String> onFinished,
    ReviewDesk reviews) {

  /** Services without human review ({@link ReviewDesk#NONE}). */
  public IncidentServices(Brain brain, Judge judge, CommandPolicy policy, CommandDispatcher dispatcher, InsightSink sink,
      IncidentSettings settings, Clock clock, Executor blockingExecutor, Consumer<CommandResult> resultRoute,
      BiConsumer<String, String> onFinished) {
    this(brain, judge, policy, dispatcher, sink, settings, clock, blockingExecutor, resultRoute, onFinished,
        ReviewDesk.NONE);
  }
}
