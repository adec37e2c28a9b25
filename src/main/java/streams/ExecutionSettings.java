package streams;

import com.typesafe.config.Config;

/**
 * Limits of the command pipeline, from {@code fleet-sre.execution}.
 *
 * @param maxInFlight commands running at once across the fleet
 * @param maxInFlightPerHost commands running at once on one host
 * @param ratePerSecond commands started per second across the fleet
 * @param queueSize commands waiting to start; an offer to a full queue is refused
 * @param saturationThreshold share of the queue (0..1) filled at which ingest answers 503
 * @param outputCapBytes bytes of each output stream kept by the runner
 */
public record ExecutionSettings(
    int maxInFlight,
    int maxInFlightPerHost,
    int ratePerSecond,
    int queueSize,
    double saturationThreshold,
    int outputCapBytes) {

  public ExecutionSettings {
    if (maxInFlightPerHost < 1 || maxInFlightPerHost > maxInFlight) {
      throw new IllegalArgumentException("fleet-sre.execution.max-in-flight-per-host must be between 1 and max-in-flight ("
          + maxInFlight + "), got " + maxInFlightPerHost);
    }
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("fleet-sre.execution.rate-per-second must be at least 1, got " + ratePerSecond);
    }
  }

  public static ExecutionSettings fromConfig(Config c) {
    return new ExecutionSettings(
        c.getInt("max-in-flight"),
        c.getInt("max-in-flight-per-host"),
        c.getInt("rate-per-second"),
        c.getInt("queue-size"),
        c.getDouble("saturation-threshold"),
        c.getBytes("output-cap").intValue());
  }
}
