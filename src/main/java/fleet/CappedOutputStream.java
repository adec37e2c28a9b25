package fleet;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Retains the first {@code capBytes} bytes written to it and counts and discards the rest, so the
 * writer (a process pipe reader or an SSH channel) never blocks on a full buffer. Thread-safe.
 */
final class CappedOutputStream extends OutputStream {

  private final int capBytes;
  private final ByteArrayOutputStream retained;
  private long totalBytes;

  CappedOutputStream(int capBytes) {
    if (capBytes < 0) {
      throw new IllegalArgumentException("capBytes must not be negative, got " + capBytes);
    }
    this.capBytes = capBytes;
    this.retained = new ByteArrayOutputStream(Math.min(capBytes, 8192));
  }

  @Override
  public synchronized void write(int b) {
    if (retained.size() < capBytes) {
      retained.write(b);
    }
    totalBytes++;
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) {
    int room = capBytes - retained.size();
    if (room > 0) {
      retained.write(bytes, offset, Math.min(room, length));
    }
    totalBytes += length;
  }

  /** Returns whether more bytes were written than the cap retained. */
  synchronized boolean truncated() {
    return totalBytes > capBytes;
  }

  /**
   * Returns the retained bytes decoded as UTF-8 and cleaned by {@link OutputSanitizer}. Malformed
   * bytes, such as a character cut in half at the cap, become U+FFFD.
   */
  synchronized String text() {
    return OutputSanitizer.clean(new String(retained.toByteArray(), StandardCharsets.UTF_8));
  }
}
