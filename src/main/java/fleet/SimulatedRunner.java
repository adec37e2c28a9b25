package fleet;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on a simulated fleet of hosts {@code sim-00001} up to {@code sim-<hosts>}, for
 * benchmarks and tests of the engine at fleet scale. Nothing is executed and no connection is made.
 * Each command completes after a latency drawn from the configured distribution, fails as
 * unreachable or times out at the configured rates, and otherwise returns output rendered by
 * {@link SimulatedOutputs}. Latency and outcome are drawn from a generator seeded with the fleet
 * seed, the host, the command id and the argv, so the same request gets the same outcome and latency.
 *
 * <p>No thread waits for a command: a scheduler completes each future when its latency has
 * passed, and renders the output on its own threads at that moment.
 */
public final class SimulatedRunner implements CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedRunner.class);

  private static final String PREFIX = "sim-";

  /**
   * Outcome and latency drawn for one request.
   *
   * @param outcome {@link CommandOutput.Outcome#EXITED}, {@code UNREACHABLE} or {@code TIMED_OUT}
   * @param latency time until the command completes; the request's timeout for {@code TIMED_OUT}
   */
  record Plan(CommandOutput.Outcome outcome, Duration latency) {}

  private final SimulatedSettings settings;
  private final Clock clock;
  private final int nameWidth;
  private final ScheduledThreadPoolExecutor scheduler;

  public SimulatedRunner(SimulatedSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.nameWidth = Math.max(5, Integer.toString(settings.hosts()).length());
    AtomicInteger threadNumber = new AtomicInteger();
    // The pool starts its threads on the first command, so an engine that never uses it pays nothing.
    this.scheduler = new ScheduledThreadPoolExecutor(settings.threads(), runnable -> {
      Thread thread = new Thread(runnable, "simulated-runner-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** Returns the name of host {@code number} (1-based) of the simulated fleet, e.g. {@code sim-00042}. */
  public String hostName(int number) {
    if (number < 1 || number > settings.hosts()) {
      throw new IllegalArgumentException("host number " + number + " is outside the simulated fleet (1.."
          + settings.hosts() + ")");
    }
    String digits = Integer.toString(number);
    return PREFIX + "0".repeat(Math.max(0, nameWidth - digits.length())) + digits;
  }

  /** Returns the 1-based number of a simulated host, or -1 when the name is not one of the fleet. */
  public int hostNumber(String name) {
    if (name == null || !name.startsWith(PREFIX) || name.length() != PREFIX.length() + nameWidth) {
      return -1;
    }
    int number = 0;
    for (int i = PREFIX.length(); i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      number = number * 10 + (c - '0');
    }
    return number >= 1 && number <= settings.hosts() ? number : -1;
  }

  public SimulatedSettings settings() {
    return settings;
  }

  @Override
  public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
    int number = hostNumber(host.name());
    if (number < 0) {
      return CompletableFuture.completedFuture(CommandOutput.failed(CommandOutput.Outcome.UNREACHABLE,
          "host [" + host.name() + "] is not part of the simulated fleet (" + hostName(1) + " to "
              + hostName(settings.hosts()) + ")", Duration.ZERO));
    }
    Plan plan = plan(request);
    CompletableFuture<CommandOutput> future = new CompletableFuture<>();
    try {
      scheduler.schedule(() -> complete(future, request, number, plan, outputCapBytes),
          plan.latency().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      future.complete(CommandOutput.failed(CommandOutput.Outcome.FAILED, "the simulated runner is closed", Duration.ZERO));
    }
    return future;
  }

  private void complete(CompletableFuture<CommandOutput> future, CommandRequest request, int number, Plan plan,
      int outputCapBytes) {
    try {
      future.complete(output(request, number, plan, outputCapBytes));
    } catch (RuntimeException e) {
      LOG.error("incident [{}] host [{}]: simulated output of command [{}] failed", request.incidentId(),
          request.host(), request.commandId(), e);
      future.complete(CommandOutput.failed(CommandOutput.Outcome.FAILED, "simulated output failed: " + e,
          plan.latency()));
    }
  }

  /** Builds the output that {@link #run} completes with, for a host number of the fleet. */
  CommandOutput output(CommandRequest request, int number, Plan plan, int outputCapBytes) {
    return switch (plan.outcome()) {
      case TIMED_OUT -> CommandOutput.failed(CommandOutput.Outcome.TIMED_OUT,
          "command timed out after " + request.timeout().toMillis() + " ms (simulated)", plan.latency());
      case UNREACHABLE -> CommandOutput.failed(CommandOutput.Outcome.UNREACHABLE,
          "ssh: connect to host " + request.host() + " port 22: Connection timed out (simulated)", plan.latency());
      default -> {
        SimulatedOutputs.Rendered rendered = outputs(request.host(), number).render(request.argv());
        String stdout = cut(rendered.stdout(), outputCapBytes);
        String stderr = cut(rendered.stderr(), outputCapBytes);
        boolean truncated = stdout.length() < rendered.stdout().length() || stderr.length() < rendered.stderr().length();
        yield CommandOutput.exited(rendered.exitCode(), stdout, stderr, truncated, plan.latency());
      }
    };
  }

  /** Returns the simulated state of one host, the same for the same seed and day. */
  SimulatedOutputs outputs(String host, int number) {
    Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
    return new SimulatedOutputs(host, number, hash(settings.seed(), host), today, settings.accessLogLines());
  }

  /** Draws the outcome and latency of a request from a generator seeded with the fleet seed and the request. */
  Plan plan(CommandRequest request) {
    long seed = hash(settings.seed(), request.host());
    seed = hash(seed, request.commandId());
    for (String arg : request.argv()) {
      seed = hash(seed, arg);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double draw = random.nextDouble();
    if (draw < settings.failureRate()) {
      return new Plan(CommandOutput.Outcome.UNREACHABLE, latency(random));
    }
    if (draw < settings.failureRate() + settings.timeoutRate()) {
      return new Plan(CommandOutput.Outcome.TIMED_OUT, request.timeout());
    }
    return new Plan(CommandOutput.Outcome.EXITED, latency(random));
  }

  /** Draws one latency: the median when fixed, else {@code median * exp(sigma * N(0,1))}. */
  Duration latency(SplittableRandom random) {
    if (settings.distribution() == SimulatedSettings.Distribution.FIXED) {
      return settings.median();
    }
    double factor = Math.exp(settings.sigma() * random.nextGaussian());
    return Duration.ofNanos(Math.round(settings.median().toNanos() * factor));
  }

  /** Mixes a string into a 64-bit hash (FNV-1a over the UTF-8 bytes, starting from {@code seed}). */
  static long hash(long seed, String text) {
    long h = seed ^ 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Cuts ASCII-only simulated output at the cap; its characters are its bytes. */
  private static String cut(String text, int capBytes) {
    return text.length() <= capBytes ? text : text.substring(0, Math.max(0, capBytes));
  }

  /** Stops taking commands. Commands already scheduled still complete, on daemon threads. */
  @Override
  public void close() {
    scheduler.shutdown();
    LOG.info("simulated runner closed with [{}] commands still scheduled", scheduler.getQueue().size());
  }
}
