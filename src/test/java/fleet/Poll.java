package fleet;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, for tests that wait on another thread or process. */
final class Poll {

  private static final long INTERVAL_NANOS = Duration.ofMillis(20).toNanos();

  private Poll() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @throws AssertionError naming {@code description} when it still does not hold after {@code timeout}
   */
  static void until(BooleanSupplier condition, Duration timeout, String description) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + description);
      }
      LockSupport.parkNanos(INTERVAL_NANOS);
    }
  }

  /** Returns whether a live process has {@code marker} in its command line. */
  static boolean processRunning(String marker) {
    return ProcessHandle.allProcesses()
        .anyMatch(handle -> handle.isAlive() && handle.info().commandLine().map(line -> line.contains(marker)).orElse(false));
  }
}
