package fleet;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the {@link SimulatedRunner}, from {@code fleet-sre.simulated}.
 *
 * @param hosts size of the simulated fleet: hosts {@code sim-00001} up to {@code sim-<hosts>}
 * @param seed seed of every random choice; the same seed gives the same outputs, latencies and failures
 * @param distribution how command latency is drawn
 * @param median median latency; with {@link Distribution#FIXED} every command takes exactly this long
 * @param p99 99th percentile of the log-normal latency; ignored for {@link Distribution#FIXED}
 * @param failureRate share (0..1) of commands that end {@link CommandOutput.Outcome#UNREACHABLE}
 * @param timeoutRate share (0..1) of commands that end {@link CommandOutput.Outcome#TIMED_OUT} after the request's timeout
 * @param accessLogLines lines in each simulated access log; {@code tail -n N} returns at most this many
 * @param threads scheduler threads that complete commands and render their output
 */
public record SimulatedSettings(
    int hosts,
    long seed,
    Distribution distribution,
    Duration median,
    Duration p99,
    double failureRate,
    double timeoutRate,
    int accessLogLines,
    int threads) {

  /** Distribution that command latencies are drawn from. */
  public enum Distribution {
    LOG_NORMAL,
    FIXED
  }

  /** The z-score of the 99th percentile of the standard normal distribution. */
  static final double Z_99 = 2.3263478740408408;

  public SimulatedSettings {
    if (hosts < 1) {
      throw new IllegalArgumentException("fleet-sre.simulated.hosts must be at least 1, got " + hosts);
    }
    if (median.isNegative() || (distribution == Distribution.LOG_NORMAL && median.isZero())) {
      throw new IllegalArgumentException("fleet-sre.simulated.latency.median must be positive, got " + median);
    }
    if (distribution == Distribution.LOG_NORMAL && p99.compareTo(median) < 0) {
      throw new IllegalArgumentException("fleet-sre.simulated.latency.p99 (" + p99
          + ") must not be below the median (" + median + ")");
    }
    if (failureRate < 0 || timeoutRate < 0 || failureRate + timeoutRate > 1) {
      throw new IllegalArgumentException("fleet-sre.simulated failure-rate (" + failureRate + ") and timeout-rate ("
          + timeoutRate + ") must be between 0 and 1, and their sum at most 1");
    }
    if (accessLogLines < 1) {
      throw new IllegalArgumentException("fleet-sre.simulated.access-log-lines must be at least 1, got " + accessLogLines);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("fleet-sre.simulated.threads must be at least 1, got " + threads);
    }
  }

  public static SimulatedSettings fromConfig(Config c) {
    String distribution = c.getString("latency.distribution");
    Distribution parsed = switch (distribution) {
      case "log-normal" -> Distribution.LOG_NORMAL;
      case "fixed" -> Distribution.FIXED;
      default -> throw new IllegalArgumentException(
          "fleet-sre.simulated.latency.distribution: invalid value [" + distribution + "]; expected log-normal or fixed");
    };
    return new SimulatedSettings(
        c.getInt("hosts"),
        c.getLong("seed"),
        parsed,
        c.getDuration("latency.median"),
        c.getDuration("latency.p99"),
        c.getDouble("failure-rate"),
        c.getDouble("timeout-rate"),
        c.getInt("access-log-lines"),
        c.getInt("threads"));
  }

  /** Returns these settings with a fixed latency: every command takes {@code latency}. */
  public SimulatedSettings withFixedLatency(Duration latency) {
    return new SimulatedSettings(hosts, seed, Distribution.FIXED, latency, latency, failureRate, timeoutRate,
        accessLogLines, threads);
  }

  /** Mean latency: the median for a fixed latency, {@code median * exp(sigma^2 / 2)} for a log-normal one. */
  public Duration meanLatency() {
    if (distribution == Distribution.FIXED) {
      return median;
    }
    double sigma = sigma();
    return Duration.ofNanos(Math.round(median.toNanos() * Math.exp(sigma * sigma / 2)));
  }

  /** Returns the sigma of the log-normal distribution whose median and 99th percentile are configured. */
  double sigma() {
    return Math.log((double) p99.toNanos() / median.toNanos()) / Z_99;
  }
}
