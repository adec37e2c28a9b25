package actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import agent.Alert;
import agent.Insight;
import agent.Judge;
import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Sampling of published insights for review: rates per use case and per verdict, and a reproducible draw. */
class ReviewSamplerTest {

  private static final int IDS = 4000;

  private static Insight insight(String playbook, String kind) {
    Alert alert = new Alert("web-01", kind, "critical", "s", Map.of(), Map.of(), Instant.EPOCH, "f", "test");
    return new Insight(Insight.SCHEMA_VERSION, "i", "web-01", alert, playbook, "complete", "s", "c", List.of(),
        List.of(), List.of(), List.of(), new Insight.Timings(Instant.EPOCH, Instant.EPOCH, 0, 1, 1), "playbook");
  }

  private static Judge.Verdict verdict(String judge, double efficiency) {
    return new Judge.Verdict(true, judge, List.of("ok"), efficiency);
  }

  /** Returns the share of {@link #IDS} incident ids the sampler picks. */
  private static double share(ReviewSampler sampler, Insight insight, Judge.Verdict verdict) {
    long picked = IntStream.range(0, IDS)
        .filter(i -> sampler.decide("web-" + i + "_HostDiskFull_1-abc", insight, verdict).sampled())
        .count();
    return (double) picked / IDS;
  }

  private final ReviewSampler sampler = new ReviewSampler(0.05,
      Map.of("tls-certificates", 0.5, "HostOomKill", 1.0), Map.of("model", 0.3), 0.2, 0.8);

  @Test
  void defaultRateAppliesToUnlistedUseCase() {
    assertThat(share(sampler, insight("disk-space", "HostDiskFull"), verdict("structural", 0.9)))
        .isCloseTo(0.05, within(0.02));
    assertThat(sampler.decide("x", insight("disk-space", "HostDiskFull"), verdict("structural", 0.9)).rule())
        .isEqualTo("default");
  }

  @Test
  void useCaseRateReplacesDefault() {
    assertThat(share(sampler, insight("tls-certificates", "CertExpiring"), verdict("structural", 0.9)))
        .isCloseTo(0.5, within(0.04));
    ReviewSampler.Decision byKind = sampler.decide("x", insight("none", "HostOomKill"), verdict("structural", 0.9));
    assertThat(byKind.sampled()).isTrue();
    assertThat(byKind.rule()).isEqualTo("use-case HostOomKill");
    assertThat(ReviewSampler.useCase(insight("model", "HostOomKill"))).isEqualTo("HostOomKill");
    assertThat(ReviewSampler.useCase(insight("disk-space", "HostOomKill"))).isEqualTo("disk-space");
  }

  @Test
  void verdictRulesRaiseTheRate() {
    Insight disk = insight("disk-space", "HostDiskFull");

    assertThat(share(sampler, disk, verdict("model", 0.9))).isCloseTo(0.3, within(0.04));
    assertThat(share(sampler, disk, verdict("structural", 0.1))).isCloseTo(0.8, within(0.04));
    assertThat(sampler.decide("x", disk, verdict("structural", 0.1)).reason()).contains("efficiency 0.10 below 0.20");
    // A lower verdict rate never lowers a higher use-case rate.
    assertThat(sampler.decide("x", insight("none", "HostOomKill"), verdict("model", 0.9)).rate()).isEqualTo(1.0);
  }

  @Test
  void drawIsReproducible() {
    ReviewSampler copy = new ReviewSampler(0.05,
        Map.of("tls-certificates", 0.5, "HostOomKill", 1.0), Map.of("model", 0.3), 0.2, 0.8);
    for (int i = 0; i < 200; i++) {
      String id = "web-" + i + "_NginxDown_1-0f0f0f";
      ReviewSampler.Decision first = sampler.decide(id, insight("config-downtime", "NginxDown"), verdict("model", 0.9));
      ReviewSampler.Decision again = copy.decide(id, insight("config-downtime", "NginxDown"), verdict("model", 0.9));
      assertThat(again).isEqualTo(first);
    }
    assertThat(ReviewSampler.draw("a")).isNotEqualTo(ReviewSampler.draw("b"));
    assertThat(ReviewSampler.draw("a")).isBetween(0.0, 1.0);
  }

  @Test
  void ratesOfZeroAndOneAreExact() {
    ReviewSampler none = new ReviewSampler(0.0, Map.of(), Map.of(), 0.0, 0.0);
    ReviewSampler all = new ReviewSampler(1.0, Map.of(), Map.of(), 0.0, 0.0);
    Insight disk = insight("disk-space", "HostDiskFull");

    assertThat(share(none, disk, verdict("structural", 0.0))).isZero();
    assertThat(share(all, disk, verdict("structural", 1.0))).isEqualTo(1.0);
  }

  @Test
  void configRejectsInvalidRate() {
    var config = ConfigFactory.parseString("""
        default-rate = 0.05
        use-cases { disk-space = 1.5 }
        judges {}
        low-efficiency { below = 0.2, rate = 0.5 }
        """);

    assertThatThrownBy(() -> ReviewSampler.fromConfig(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use-cases.disk-space")
        .hasMessageContaining("1.5");
  }

  @Test
  void shippedConfigLoads() {
    ReviewSettings settings = ReviewSettings.fromConfig(ConfigFactory.load().getConfig("fleet-sre.review"));

    assertThat(settings.sampling().decide("x", insight("disk-space", "HostDiskFull"), verdict("structural", 0.9))
        .rate()).isEqualTo(0.05);
    assertThat(settings.claimTimeout()).isPositive();
  }
}
