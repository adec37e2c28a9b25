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
 * @param maxChannelsPerSession commands running at once on one session; keep it below the hosts'
 *     sshd {@code MaxSessions} (10 by default in OpenSSH)
 * @param connectionsPerSecond new connections opened per second across the fleet, so that the
 *     hosts' sshd {@code MaxStartups} limit is not tripped; 0 means no limit
 * @param maxOpenSessions sessions kept open at once; beyond it the least recently used idle
 *     session is closed
 */
public record SshSettings(
    Duration connectTimeout,
    Duration authTimeout,
    Duration heartbeatInterval,
    Duration idleTimeout,
    int maxChannelsPerSession,
    double connectionsPerSecond,
    int maxOpenSessions) {

  /** The limits with their defaults: 8 channels per session, no connection rate, 10,000 open sessions. */
  public SshSettings(Duration connectTimeout, Duration authTimeout, Duration heartbeatInterval, Duration idleTimeout) {
    this(connectTimeout, authTimeout, heartbeatInterval, idleTimeout, 8, 0, 10_000);
  }

  public SshSettings {
    if (maxChannelsPerSession < 1) {
      throw new IllegalArgumentException("fleet-sre.ssh.max-channels-per-session must be at least 1, got "
          + maxChannelsPerSession);
    }
    if (connectionsPerSecond < 0) {
      throw new IllegalArgumentException("fleet-sre.ssh.connections-per-second must not be negative, got "
          + connectionsPerSecond);
    }
    if (maxOpenSessions < 1) {
      throw new IllegalArgumentException("fleet-sre.ssh.max-open-sessions must be at least 1, got " + maxOpenSessions);
    }
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
        ssh.getDuration("idle-timeout"),
        ssh.getInt("max-channels-per-session"),
        ssh.getDouble("connections-per-second"),
        ssh.getInt("max-open-sessions"));
  }

  private static void requirePositive(Duration value, String key) {
    Objects.requireNonNull(value, key + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("fleet-sre.ssh." + key + " must be positive, got " + value);
    }
  }
}
