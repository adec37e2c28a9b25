package fleet;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Spaces events evenly at a fixed rate across all callers: each caller reserves the next free
 * slot and learns how long to wait for it. Used for new SSH connections across the fleet.
 */
final class ConnectionThrottle {

  private final long intervalNanos;
  private final LongSupplier clock;
  private long nextSlot; // guarded by this

  /** @param perSecond events per second; 0 or less means no limit */
  ConnectionThrottle(double perSecond, LongSupplier nanoClock) {
    this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    this.clock = nanoClock;
    this.nextSlot = nanoClock.getAsLong();
  }

  /** Reserves the next slot and returns how long the caller waits for it; zero when it is free now. */
  synchronized Duration reserve() {
    if (intervalNanos == 0) {
      return Duration.ZERO;
    }
    long now = clock.getAsLong();
    long slot = Math.max(now, nextSlot);
    nextSlot = slot + intervalNanos;
    return Duration.ofNanos(slot - now);
  }
}
