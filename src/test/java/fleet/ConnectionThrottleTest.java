package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionThrottleTest {

  @Test
  void burstIsSpacedAtTheRate() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    ConnectionThrottle throttle = new ConnectionThrottle(4, now::get);

    assertThat(throttle.reserve()).isEqualTo(Duration.ZERO);
    assertThat(throttle.reserve()).isEqualTo(Duration.ofMillis(250));
    assertThat(throttle.reserve()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void idleTimeFreesTheNextSlot() {
    AtomicLong now = new AtomicLong(0);
    ConnectionThrottle throttle = new ConnectionThrottle(10, now::get);

    throttle.reserve();
    now.addAndGet(Duration.ofSeconds(5).toNanos());

    assertThat(throttle.reserve()).isEqualTo(Duration.ZERO);
    assertThat(throttle.reserve()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void zeroRateMeansNoWait() {
    ConnectionThrottle throttle = new ConnectionThrottle(0, System::nanoTime);

    for (int i = 0; i < 100; i++) {
      assertThat(throttle.reserve()).isEqualTo(Duration.ZERO);
    }
  }
}
