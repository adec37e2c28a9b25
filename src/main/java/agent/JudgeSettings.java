package agent;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which judge checks insights and how strict it is, from {@code fleet-sre.judge}.
 *
 * @param kind {@code structural} (deterministic checks only) or {@code model} (those checks, then a
 *     model scores the insight against a rubric)
 * @param publishThreshold lowest weighted rubric score, from 0 to 1, at which the model judge publishes
 * @param safetyThreshold lowest {@code safety} score, from 0 to 1, at which the model judge publishes
 * @param weights weight of each rubric criterion in the weighted score; every criterion of
 *     {@link ModelJudge#CRITERIA} has one, and their sum is above 0
 * @param timeout how long judging one insight may take, the model's repair turn and retries included
 * @param maxOutputTokens output tokens requested per model judge call
 * @param holdOnModelFailure when the model judge fails: true holds every insight for review, false
 *     lets the structural verdict decide
 */
public record JudgeSettings(
    String kind,
    double publishThreshold,
    double safetyThreshold,
    Map<String, Double> weights,
    Duration timeout,
    int maxOutputTokens,
    boolean holdOnModelFailure) {

  public static final String STRUCTURAL = "structural";
  public static final String MODEL = "model";

  public JudgeSettings {
    weights = Map.copyOf(weights);
  }

  public static JudgeSettings fromConfig(Config c) {
    Map<String, Double> weights = new LinkedHashMap<>();
    for (String criterion : ModelJudge.CRITERIA) {
      weights.put(criterion, c.getDouble("weights." + criterion));
    }
    String onFailure = c.getString("on-model-failure").trim().toLowerCase(Locale.ROOT);
    if (!onFailure.equals("structural") && !onFailure.equals("hold")) {
      throw new IllegalArgumentException("fleet-sre.judge.on-model-failure: invalid value [" + onFailure
          + "]; expected structural (the deterministic checks decide) or hold (hold every insight for review)");
    }
    JudgeSettings settings = new JudgeSettings(
        c.getString("kind").trim().toLowerCase(Locale.ROOT),
        c.getDouble("publish-threshold"),
        c.getDouble("safety-threshold"),
        weights,
        c.getDuration("timeout"),
        c.getInt("max-output-tokens"),
        onFailure.equals("hold"));
    settings.validate();
    return settings;
  }

  public boolean model() {
    return kind.equals(MODEL);
  }

  private void validate() {
    if (!kind.equals(STRUCTURAL) && !kind.equals(MODEL)) {
      throw new IllegalArgumentException("fleet-sre.judge.kind (FLEET_SRE_JUDGE): invalid value [" + kind
          + "]; expected structural or model");
    }
    checkShare("publish-threshold", publishThreshold);
    checkShare("safety-threshold", safetyThreshold);
    double sum = 0;
    for (Map.Entry<String, Double> weight : weights.entrySet()) {
      if (weight.getValue() < 0) {
        throw new IllegalArgumentException("fleet-sre.judge.weights." + weight.getKey() + " must be 0 or more, got "
            + weight.getValue());
      }
      sum += weight.getValue();
    }
    if (sum <= 0) {
      throw new IllegalArgumentException("fleet-sre.judge.weights: at least one weight must be above 0");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("fleet-sre.judge.timeout must be positive, got " + timeout);
    }
    if (maxOutputTokens <= 0) {
      throw new IllegalArgumentException("fleet-sre.judge.max-output-tokens must be positive, got " + maxOutputTokens);
    }
  }

  private static void checkShare(String key, double value) {
    if (value < 0 || value > 1) {
      throw new IllegalArgumentException("fleet-sre.judge." + key + " must be from 0 to 1, got " + value);
    }
  }
}
