package app;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes this node a cluster member by the method that {@code fleet-sre.cluster.discovery} names. */
final class ClusterFormation {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFormation.class);

  /** The values of {@code fleet-sre.cluster.discovery}. */
  enum Discovery {
    /** A cluster of this node alone. */
    SELF,
    /** Joins the nodes listed in {@code fleet-sre.cluster.seed-nodes}. */
    SEED_NODES,
    /** Pekko Cluster Bootstrap, with the other pods found through the Kubernetes API. */
    KUBERNETES_API;

    String configValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private ClusterFormation() {
  }

  /** Parses {@code discovery} of the {@code fleet-sre.cluster} section and checks it against the seed nodes. */
  static Discovery discovery(Config cluster) {
    String value = cluster.getString("discovery");
    Discovery discovery = null;
    for (Discovery candidate : Discovery.values()) {
      if (candidate.configValue().equals(value)) {
        discovery = candidate;
      }
    }
    if (discovery == null) {
      throw new IllegalArgumentException("fleet-sre.cluster.discovery: invalid value [" + value
          + "]; expected self, seed-nodes or kubernetes-api");
    }
    boolean hasSeeds = !cluster.getStringList("seed-nodes").isEmpty();
    if (discovery == Discovery.SEED_NODES && !hasSeeds) {
      throw new IllegalArgumentException("fleet-sre.cluster.seed-nodes is empty but fleet-sre.cluster.discovery is "
          + "seed-nodes; list the seed nodes, e.g. [\"pekko://fleet-sre@10.0.0.5:25520\"]");
    }
    if (discovery != Discovery.SEED_NODES && hasSeeds) {
      throw new IllegalArgumentException("fleet-sre.cluster.seed-nodes is set but fleet-sre.cluster.discovery is "
          + discovery.configValue() + "; set discovery = seed-nodes to join them, or remove the seed nodes");
    }
    return discovery;
  }

  /**
   * Starts joining the cluster and returns at once, so the caller waits for the member to be Up.
   * For kubernetes-api this starts Pekko Management, whose HTTP endpoint the other pods probe, and
   * Cluster Bootstrap.
   */
  static Discovery start(ActorSystem<?> system, Config cluster) {
    Discovery discovery = discovery(cluster);
    Cluster self = Cluster.get(system);
    switch (discovery) {
      case SELF -> self.manager().tell(Join.create(self.selfMember().address()));
      case SEED_NODES -> {
        List<Address> seeds = cluster.getStringList("seed-nodes").stream().map(AddressFromURIString::parse).toList();
        self.manager().tell(new JoinSeedNodes(seeds));
      }
      case KUBERNETES_API -> {
        requireServiceAccountCa(system.settings().config());
        PekkoManagement.get(system).start().whenComplete((uri, error) -> {
          if (error != null) {
            LOG.error("Pekko Management failed to start, so Cluster Bootstrap cannot be probed by other pods", error);
          } else {
            LOG.info("Pekko Management listening on [{}]", uri);
          }
        });
        ClusterBootstrap.get(system).start();
      }
    }
    LOG.info("joining the cluster with discovery [{}]", discovery.configValue());
    return discovery;
  }

  /** Rejects a missing CA file up front, because the Kubernetes API discovery fails with only its path. */
  private static void requireServiceAccountCa(Config config) {
    String caPath = config.getString("pekko.discovery.kubernetes-api.api-ca-path");
    if (!Files.isReadable(Path.of(caPath))) {
      throw new IllegalArgumentException("pekko.discovery.kubernetes-api.api-ca-path: cannot read [" + caPath
          + "]; discovery = kubernetes-api works only in a Kubernetes pod with its service account token mounted");
    }
  }
}
