package fleet;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts of the SSH client, read from {@code fleet-sre.ssh}. The per-command timeout is not
 * here: it comes with each {@link CommandRequest}.
 *
 * @param connectTimeout how long to wait for the TCP connection to a host
 * @param authTimeout how long to wait for the key exchange (host key check included) and the
 *     public-key authentication once connected
 * @param heartbeatInterval how often an idle session sends a keep-alive message, or zero for never
 * @param idleTimeout how long a session may stay without traffic before the client closes it
 */
public record SshSettings(Duration connectTimeout, Duration authTimeout, Duration heartbeatInterval, Duration idleTimeout) {

  public SshSettings {
    requirePositive(connectTimeout, "connect-timeout");
    requirePositive(authTimeout, "auth-timeout");
    requirePositive(idleTimeout, "idle-timeout");
    Objects.requireNonNull(heartbeatInterval, "heartbeat-interval must not be null");
    if (heartbeatInterval.isNegative()) {
      throw new IllegalArgumentException("fleet-sre.ssh.heartbeat-interval must not be negative, got " + heartbeatInterval);
    }
  }

  /** Reads a {@code fleet-sre.ssh} block (see {@code ssh.conf} for the keys). */
  public static SshSettings fromConfig(Config ssh) {
    return new SshSettings(
        ssh.getDuration("connect-timeout"),
        ssh.getDuration("auth-timeout"),
        ssh.getDuration("heartbeat-interval"),
        ssh.getDuration("idle-timeout"));
  }

  private static void requirePositive(Duration value, String key) {
    Objects.requireNonNull(value, key + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("fleet-sre.ssh." + key + " must be positive, got " + value);
    }
  }
}
