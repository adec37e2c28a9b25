package actors;

import agent.Insight;
import agent.Judge;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Picks the published insights that a human also reviews, from {@code fleet-sre.review.sampling}.
 * Every held insight is reviewed anyway; this only decides for the published ones.
 *
 * <p>Each insight gets a rate: the rate of its use case ({@link #useCase}) or the
 * default rate, raised to the rate of its judge and to the low-efficiency rate when those apply.
 * The draw it is compared with is derived from the incident id alone, so the same incident gets the
 * same decision on every node and after every recovery.
 */
public final class ReviewSampler {

  /**
   * The sampling decision for one insight.
   *
   * @param sampled whether the insight goes to review
   * @param rate the rate that applied, from 0 to 1
   * @param draw the incident's draw, from 0 (inclusive) to 1 (exclusive); sampled when below the rate
   * @param rule which setting gave the rate, for example {@code use-case disk-space}
   */
  public record Decision(boolean sampled, double rate, double draw, String rule) {

    /** Returns the reason a review records, for example {@code sampled (use-case disk-space, rate 0.25)}. */
    public String reason() {
      return String.format(Locale.ROOT, "sampled (%s, rate %.3f)", rule, rate);
    }
  }

  private final double defaultRate;
  private final Map<String, Double> useCaseRates;
  private final Map<String, Double> judgeRates;
  private final double lowEfficiencyBelow;
  private final double lowEfficiencyRate;

  public ReviewSampler(double defaultRate, Map<String, Double> useCaseRates, Map<String, Double> judgeRates,
      double lowEfficiencyBelow, double lowEfficiencyRate) {
    this.defaultRate = checkRate("default-rate", defaultRate);
    this.useCaseRates = Map.copyOf(useCaseRates);
    this.judgeRates = Map.copyOf(judgeRates);
    this.lowEfficiencyBelow = lowEfficiencyBelow;
    this.lowEfficiencyRate = checkRate("low-efficiency.rate", lowEfficiencyRate);
    useCaseRates.forEach((key, rate) -> checkRate("use-cases." + key, rate));
    judgeRates.forEach((key, rate) -> checkRate("judges." + key, rate));
  }

  public static ReviewSampler fromConfig(Config sampling) {
    return new ReviewSampler(
        sampling.getDouble("default-rate"),
        rates(sampling.getObject("use-cases"), "use-cases"),
        rates(sampling.getObject("judges"), "judges"),
        sampling.getDouble("low-efficiency.below"),
        sampling.getDouble("low-efficiency.rate"));
  }

  /**
   * Returns the use case of an insight: its playbook, or its alert kind when no playbook drove it
   * (playbook {@code none}, or {@code model} for a model's answer, which names no playbook).
   */
  public static String useCase(Insight insight) {
    String playbook = insight.playbook();
    if (playbook != null && !playbook.isBlank() && !playbook.equals("none") && !playbook.equals("model")) {
      return playbook;
    }
    return insight.alert() == null ? "unknown" : insight.alert().kind();
  }

  /** Decides whether the published insight of {@code incidentId} is also reviewed. */
  public Decision decide(String incidentId, Insight insight, Judge.Verdict verdict) {
    String useCase = useCase(insight);
    String kind = insight.alert() == null ? "" : insight.alert().kind();

    double rate = defaultRate;
    String rule = "default";
    if (useCaseRates.containsKey(useCase)) {
      rate = useCaseRates.get(useCase);
      rule = "use-case " + useCase;
    } else if (useCaseRates.containsKey(kind)) {
      rate = useCaseRates.get(kind);
      rule = "use-case " + kind;
    }
    Double judgeRate = judgeRates.get(verdict.judge());
    if (judgeRate != null && judgeRate > rate) {
      rate = judgeRate;
      rule = "judge " + verdict.judge();
    }
    if (verdict.efficiency() < lowEfficiencyBelow && lowEfficiencyRate > rate) {
      rate = lowEfficiencyRate;
      rule = String.format(Locale.ROOT, "efficiency %.2f below %.2f", verdict.efficiency(), lowEfficiencyBelow);
    }

    double draw = draw(incidentId);
    return new Decision(draw < rate, rate, draw, rule);
  }

  /** Maps an incident id to a number from 0 (inclusive) to 1 (exclusive): the first 53 bits of its SHA-256. */
  static double draw(String incidentId) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(("review-sample:" + incidentId).getBytes(StandardCharsets.UTF_8));
      long bits = ByteBuffer.wrap(hash).getLong() >>> 11;
      return bits / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Map<String, Double> rates(ConfigObject object, String path) {
    Map<String, Double> rates = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      Object value = entry.getValue().unwrapped();
      if (!(value instanceof Number number)) {
        throw new IllegalArgumentException("fleet-sre.review.sampling." + path + "." + entry.getKey()
            + ": invalid value [" + value + "]; expected a rate from 0 to 1");
      }
      rates.put(entry.getKey(), number.doubleValue());
    }
    return rates;
  }

  private static double checkRate(String key, double rate) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      throw new IllegalArgumentException("fleet-sre.review.sampling." + key + ": invalid rate [" + rate
          + "]; expected a number from 0 to 1");
    }
    return rate;
  }
}
