package app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFormationTest {

  private static Config cluster(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(Main.loadConfig(null)).resolve()
        .getConfig("fleet-sre.cluster");
  }

  @Test
  void defaultIsClusterOfItsOwn() {
    assertThat(ClusterFormation.discovery(cluster(""))).isEqualTo(ClusterFormation.Discovery.SELF);
  }

  @Test
  void seedNodesNeedTheirDiscovery() {
    String seeds = "fleet-sre.cluster.seed-nodes = [\"pekko://fleet-sre@127.0.0.1:25520\"]\n";

    assertThat(ClusterFormation.discovery(cluster(seeds + "fleet-sre.cluster.discovery = seed-nodes")))
        .isEqualTo(ClusterFormation.Discovery.SEED_NODES);
    assertThatThrownBy(() -> ClusterFormation.discovery(cluster(seeds)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set discovery = seed-nodes");
    assertThatThrownBy(() -> ClusterFormation.discovery(cluster("fleet-sre.cluster.discovery = seed-nodes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fleet-sre.cluster.seed-nodes is empty");
  }

  @Test
  void kubernetesApiIsAccepted() {
    assertThat(ClusterFormation.discovery(cluster("fleet-sre.cluster.discovery = kubernetes-api")))
        .isEqualTo(ClusterFormation.Discovery.KUBERNETES_API);
  }

  @Test
  void kubernetesApiOutsidePodFailsClearly(@TempDir Path temp) throws Exception {
    Path missing = temp.resolve("ca.crt");
    Path log = temp.resolve("engine.log");
    Map<String, String> environment = Map.of("FLEET_SRE_CLUSTER_DISCOVERY", "kubernetes-api",
        "FLEET_SRE_DATA_DIR", temp.resolve("data").toString(),
        "FLEET_SRE_MANAGEMENT_PORT", String.valueOf(TestEnvironment.freePort()));
    Path config = Files.writeString(temp.resolve("test.conf"),
        "pekko.discovery.kubernetes-api.api-ca-path = \"" + missing + "\"\n");

    try (EngineProcess engine = EngineProcess.start(environment, log, log, "serve", "--config", config.toString(),
        "--port", "0")) {
      int exitCode = engine.awaitExit(Duration.ofSeconds(60));

      assertThat(exitCode).isEqualTo(Main.EXIT_USAGE);
      assertThat(Files.readString(log)).contains("api-ca-path: cannot read [" + missing + "]");
    }
  }

  @Test
  void unknownDiscoveryIsRejected() {
    assertThatThrownBy(() -> ClusterFormation.discovery(cluster("fleet-sre.cluster.discovery = dns")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fleet-sre.cluster.discovery: invalid value [dns]; expected self, seed-nodes or kubernetes-api");
  }
}
