package app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Both benchmarks run end to end on a small scale. Only correctness is checked here, never speed. */
class BenchSmokeTest {

  @Test
  void dispatchBenchReportsFigures() throws Exception {
    ObjectNode figures = DispatchBench.run(new DispatchBench.Parameters(2_000, 200, 500, 200, 20_000,
        Duration.ofMillis(5), null, 1_000));

    assertThat(figures.get("bench").asText()).isEqualTo("dispatch");
    assertThat(figures.get("commands").asInt()).isEqualTo(2_000);
    assertThat(figures.get("efficiency").asDouble()).isGreaterThan(0);
    assertThat(figures.get("cpuMicrosPerCommand").asDouble()).isGreaterThan(0);
  }

  @Test
  void limitCountsOneCommandPerHost() {
    DispatchBench.Parameters fewHosts = new DispatchBench.Parameters(20_000, 0, 500, 2_000, 20_000,
        Duration.ofMillis(50), null, 1_000);
    DispatchBench.Parameters manyHosts = new DispatchBench.Parameters(20_000, 0, 90_000, 2_000, 20_000,
        Duration.ofMillis(50), null, 1_000);

    assertThat(DispatchBench.limitPerSecond(fewHosts, 0.05)).isEqualTo(10_000.0);
    assertThat(DispatchBench.limitPerSecond(manyHosts, 0.05)).isEqualTo(20_000.0);
  }

  @Test
  void steadyRateLeavesOutTheDrain() {
    // 1,000 completions one millisecond apart, then 20 stragglers 5 s later; two are stored out of order.
    long[] completions = new long[1_020];
    for (int i = 0; i < 1_000; i++) {
      completions[i] = 1_000_000L * i;
    }
    for (int i = 1_000; i < completions.length; i++) {
      completions[i] = 5_000_000_000L + i;
    }
    long first = completions[0];
    completions[0] = completions[1_019];
    completions[1_019] = first;

    double rate = DispatchBench.steadyRate(completions);

    assertThat(rate).isBetween(990.0, 1_010.0);
  }

  @Test
  void stormBenchLosesNoAlert() throws Exception {
    ObjectNode figures = StormBench.run(new StormBench.Parameters(200, 16, 200, 2_000, 2_000, Duration.ofSeconds(30),
        Duration.ofMillis(5), Duration.ofMillis(40), 100, null, Duration.ofMinutes(3), false));

    assertThat(figures.get("bench").asText()).isEqualTo("storm");
    assertThat(figures.get("accepted").asLong()).isEqualTo(200);
    assertThat(figures.get("insights").asLong()).isEqualTo(200);
    assertThat(figures.get("lost").asLong()).isZero();
    assertThat(figures.get("httpErrors").asLong()).isZero();
  }
}
