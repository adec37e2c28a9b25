package actors;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Budgets and timeouts of one investigation, from {@code fleet-sre.incident}.
 *
 * @param maxSteps steps a brain may plan before it must conclude
 * @param maxCommands commands an incident may run in total
 * @param maxModelTurns model calls an incident may make before the model must conclude
 * @param maxInputTokens input tokens an incident may spend, summed over its model turns
 * @param maxOutputTokens output tokens an incident may spend, summed over its model turns
 * @param maxDuration wall-clock budget from the first alert; then the brain concludes with what it has
 * @param commandTimeout how long one command may run on a host
 * @param brainTimeout how long one brain decision may take
 * @param transcriptOutputCap characters of each command's output kept in the transcript
 * @param maxAttachedAlerts repeated alerts kept in full; later ones are only counted
 * @param dispatchRetry delay before a command that found the queue full is offered again
 * @param deliveryRetry delay before a failed insight delivery is tried again
 * @param judgeTimeout how long judging one insight may take, from {@code fleet-sre.judge.timeout};
 *     then the judge's fallback verdict ({@link agent.Judge#failed}) decides
 */
public record IncidentSettings(
    int maxSteps,
    int maxCommands,
    int maxModelTurns,
    long maxInputTokens,
    long maxOutputTokens,
    Duration maxDuration,
    Duration commandTimeout,
    Duration brainTimeout,
    int transcriptOutputCap,
    int maxAttachedAlerts,
    Duration dispatchRetry,
    Duration deliveryRetry,
    Duration judgeTimeout) {

  /**
   * Reads the settings from {@code fleet-sre.incident} ({@code c}) and the judge timeout from
   * {@code fleet-sre.judge.timeout}.
   */
  public static IncidentSettings fromConfig(Config c, Duration judgeTimeout) {
    return new IncidentSettings(
        c.getInt("max-steps"),
        c.getInt("max-commands"),
        c.getInt("max-model-turns"),
        c.getLong("max-input-tokens"),
        c.getLong("max-output-tokens"),
        c.getDuration("max-duration"),
        c.getDuration("command-timeout"),
        c.getDuration("brain-timeout"),
        c.getBytes("transcript-output-cap").intValue(),
        c.getInt("max-attached-alerts"),
        c.getDuration("dispatch-retry"),
        c.getDuration("delivery-retry"),
        judgeTimeout);
  }
}
