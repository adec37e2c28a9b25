package app;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Prints a benchmark's progress line to stderr once a second and samples heap use at the same
 * time, so a benchmark keeps stdout for its one JSON line of figures.
 */
final class BenchProgress implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "bench-progress");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong peakHeapBytes = new AtomicLong();
  private final long startNanos = System.nanoTime();

  BenchProgress(String bench, Supplier<String> status) {
    timer.scheduleAtFixedRate(() -> {
      sampleHeap();
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      System.err.printf(Locale.ROOT, "%s: %6.1f s  %s  heap %d MiB%n", bench, seconds, status.get(),
          heapUsedBytes() >> 20);
    }, 1, 1, TimeUnit.SECONDS);
    timer.scheduleAtFixedRate(this::sampleHeap, 100, 100, TimeUnit.MILLISECONDS);
  }

  /** Returns the largest heap use seen by the 100 ms samples, garbage included. */
  long peakHeapBytes() {
    sampleHeap();
    return peakHeapBytes.get();
  }

  private void sampleHeap() {
    peakHeapBytes.accumulateAndGet(heapUsedBytes(), Math::max);
  }

  static long heapUsedBytes() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Returns the CPU time this process has used, in nanoseconds, from {@code com.sun.management.OperatingSystemMXBean}. */
  static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    throw new IllegalStateException("this JVM does not report process CPU time (com.sun.management is missing)");
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
