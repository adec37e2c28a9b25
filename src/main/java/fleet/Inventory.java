package fleet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The hosts fleet-sre may investigate and how to reach each of them. A host not listed is
 * reached through the {@code default} entry when one is configured (typical for a large fleet
 * where every host takes the same SSH settings), and is otherwise unknown.
 */
public final class Inventory {

  private final Map<String, HostEntry> hosts;
  private final Optional<HostEntry> defaults;

  public Inventory(Map<String, HostEntry> hosts, Optional<HostEntry> defaults) {
    this.hosts = Map.copyOf(hosts);
    this.defaults = defaults;
  }

  /** Reads {@code fleet-sre.inventory}: a {@code hosts} object keyed by host name and an optional {@code default}. */
  public static Inventory fromConfig(Config inventory) {
    Map<String, HostEntry> hosts = new LinkedHashMap<>();
    ConfigObject hostsObject = inventory.getObject("hosts");
    for (Map.Entry<String, ConfigValue> entry : hostsObject.entrySet()) {
      Config hostConfig = hostsObject.toConfig().getConfig(quoted(entry.getKey()));
      hosts.put(entry.getKey(), entryFrom(entry.getKey(), hostConfig));
    }
    Optional<HostEntry> defaults = Optional.empty();
    if (inventory.hasPath("default") && inventory.getConfig("default").hasPath("runner")) {
      defaults = Optional.of(entryFrom("", inventory.getConfig("default")));
    }
    return new Inventory(hosts, defaults);
  }

  /** Returns how to reach {@code host}, or empty when it is neither listed nor covered by a default entry. */
  public Optional<HostEntry> lookup(String host) {
    HostEntry listed = hosts.get(host);
    if (listed != null) {
      return Optional.of(listed);
    }
    return defaults.map(d -> new HostEntry(host, d.runner(), host, d.port(), d.user(), d.identityFile(), d.knownHostsFile()));
  }

  public Map<String, HostEntry> hosts() {
    return hosts;
  }

  private static HostEntry entryFrom(String name, Config c) {
    String runner = c.getString("runner");
    if (!runner.equals("local") && !runner.equals("ssh") && !runner.equals("simulated")) {
      throw new IllegalArgumentException(
          "fleet-sre.inventory host [" + name + "]: invalid runner [" + runner + "]; expected local, ssh or simulated");
    }
    String address = c.hasPath("address") ? c.getString("address") : name;
    int port = c.hasPath("port") ? c.getInt("port") : 22;
    String user = c.hasPath("user") ? c.getString("user") : System.getProperty("user.name");
    Path identity = c.hasPath("identity-file") ? Path.of(c.getString("identity-file")) : null;
    Path knownHosts = c.hasPath("known-hosts-file") ? Path.of(c.getString("known-hosts-file")) : null;
    boolean strict = !c.hasPath("strict-host-key-checking") || c.getBoolean("strict-host-key-checking");
    if (runner.equals("ssh") && strict && knownHosts == null) {
      throw new IllegalArgumentException(
          "fleet-sre.inventory host [" + name + "]: known-hosts-file is missing; set it, "
              + "or set strict-host-key-checking = off to accept any host key");
    }
    if (runner.equals("ssh") && identity == null) {
      throw new IllegalArgumentException(
          "fleet-sre.inventory host [" + name + "]: identity-file is missing; set the path of the private key");
    }
    return new HostEntry(name, runner, address, port, user, identity, strict ? knownHosts : null);
  }

  private static String quoted(String key) {
    return "\"" + key.replace("\"", "\\\"") + "\"";
  }
}
