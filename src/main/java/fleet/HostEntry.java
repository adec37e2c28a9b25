package fleet;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How fleet-sre reaches one host.
 *
 * @param name the host name that alerts use
 * @param runner {@code local} (this machine, a process per command), {@code ssh} or {@code simulated}
 *     (a {@link SimulatedRunner} host, for benchmarks)
 * @param address address to connect to over SSH; the name when not configured
 * @param port SSH port
 * @param user the restricted diagnostic user on the host
 * @param identityFile private key for public-key authentication; may be null for {@code local}
 * @param knownHostsFile known_hosts file that host keys are checked against; null accepts any key
 *     and is allowed only when {@code strict-host-key-checking = off}
 */
public record HostEntry(
    String name,
    String runner,
    String address,
    int port,
    String user,
    Path identityFile,
    Path knownHostsFile) {

  public HostEntry {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(runner, "runner must not be null");
  }

  public static HostEntry local(String name) {
    return new HostEntry(name, "local", name, 0, System.getProperty("user.name"), null, null);
  }
}
