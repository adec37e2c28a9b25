package app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart in helm/fleet-sre, linted and rendered by the helm library that helm-java bundles,
 * with the example values of the README (helm/fleet-sre/ci/example-values.yaml).
 */
class HelmChartTest {

  private static final Path CHART = Path.of("helm", "fleet-sre");
  private static final Path EXAMPLE_VALUES = CHART.resolve("ci").resolve("example-values.yaml");
  private static final String RELEASE = "ops";
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void lintPassesWithExampleValues(@TempDir Path temp) throws IOException {
    Path chart = copyChartWithValues(temp, EXAMPLE_VALUES);

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.getMessages()).noneMatch(message -> message.contains("[ERROR]"));
    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
  }

  @Test
  void templateRejectsClusterWithoutJournal() {
    var template = new Helm(CHART).template().withName(RELEASE).withNamespace("sre");

    assertThatThrownBy(template::call).hasMessageContaining("journal.url is required when replicaCount > 1");
  }

  @Test
  void singleReplicaRendersWithoutJournal() throws IOException {
    Map<String, JsonNode> objects = render(Map.of("replicaCount", 1, "journal.url", ""));

    assertThat(objects.get("Deployment").at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(env(objects)).doesNotContainKey("FLEET_SRE_JOURNAL_URL");
  }

  @Test
  void deploymentRunsThreeReplicas() throws IOException {
    JsonNode deployment = render(Map.of()).get("Deployment");

    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isEqualTo(60);
    assertThat(container(deployment).at("/args").toString()).isEqualTo("[\"serve\",\"--config\",\"/etc/fleet-sre/extra.conf\"]");
  }

  @Test
  void rbacLetsPodsReadPods() throws IOException {
    Map<String, JsonNode> objects = render(Map.of());
    JsonNode role = objects.get("Role");
    JsonNode binding = objects.get("RoleBinding");
    String serviceAccount = objects.get("ServiceAccount").at("/metadata/name").asText();

    assertThat(role.at("/rules").size()).isEqualTo(1);
    assertThat(role.at("/rules/0/apiGroups").toString()).isEqualTo("[\"\"]");
    assertThat(role.at("/rules/0/resources").toString()).isEqualTo("[\"pods\"]");
    assertThat(role.at("/rules/0/verbs").toString()).isEqualTo("[\"get\",\"watch\",\"list\"]");
    assertThat(binding.at("/roleRef/kind").asText()).isEqualTo("Role");
    assertThat(binding.at("/roleRef/name").asText()).isEqualTo(role.at("/metadata/name").asText());
    assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(serviceAccount);
    assertThat(objects.get("Deployment").at("/spec/template/spec/serviceAccountName").asText()).isEqualTo(serviceAccount);
  }

  @Test
  void probesUseEngineHealthRoutes() throws IOException {
    JsonNode container = container(render(Map.of()).get("Deployment"));

    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("2Gi");
  }

  @Test
  void credentialsComeFromExistingSecret() throws IOException {
    Map<String, JsonNode> objects = render(Map.of());
    Map<String, JsonNode> env = env(objects);

    assertThat(env.get("FLEET_SRE_API_TOKEN").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("fleet-sre-credentials");
    assertThat(env.get("FLEET_SRE_API_TOKEN").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("api-token");
    assertThat(env.get("FLEET_SRE_API_TOKEN").at("/valueFrom/secretKeyRef/optional").isMissingNode()).isTrue();
    assertThat(env.get("FLEET_SRE_JOURNAL_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("journal-password");
    assertThat(env.get("FLEET_SRE_MODEL_API_KEY").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("model-api-key");
    assertThat(env.get("FLEET_SRE_JOURNAL_URL").at("/value").asText())
        .isEqualTo("jdbc:postgresql://postgres.example.internal:5432/fleet_sre");
    assertThat(env.get("FLEET_SRE_REDIS_URI").at("/value").asText()).isEqualTo("redis://redis.example.internal:6379");
    assertThat(objects).doesNotContainKey("Secret");
  }

  @Test
  void noCredentialInClear() throws IOException {
    Map<String, JsonNode> env = env(render(Map.of("redis.uri", "")));

    for (String name : List.of("FLEET_SRE_API_TOKEN", "FLEET_SRE_JOURNAL_PASSWORD", "FLEET_SRE_MODEL_API_KEY",
        "FLEET_SRE_REDIS_URI")) {
      assertThat(env.get(name).has("value")).as("%s has a value in clear", name).isFalse();
      assertThat(env.get(name).at("/valueFrom/secretKeyRef/name").asText()).as(name).isEqualTo("fleet-sre-credentials");
    }
  }

  @Test
  void secretNameDefaultsToRelease() throws IOException {
    Map<String, JsonNode> env = env(render(Map.of("secret.name", "")));

    assertThat(env.get("FLEET_SRE_API_TOKEN").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("ops-fleet-sre");
  }

  @Test
  void podsRunNonRootOnReadOnlyRoot() throws IOException {
    JsonNode pod = render(Map.of()).get("Deployment").at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");

    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(mountPath(container, "tmp")).isEqualTo("/tmp");
    assertThat(volume(pod, "tmp").has("emptyDir")).isTrue();
  }

  @Test
  void discoverySelectsThisReleasesPods() throws IOException {
    JsonNode deployment = render(Map.of()).get("Deployment");
    Config config = engineConfig(deployment);
    String selector = config.getString("pekko.discovery.kubernetes-api.pod-label-selector")
        .formatted(config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));

    assertThat(ClusterFormation.discovery(config.getConfig("fleet-sre.cluster")))
        .isEqualTo(ClusterFormation.Discovery.KUBERNETES_API);
    assertThat(labelSelectorMatches(selector, deployment.at("/spec/template/metadata/labels"))).as(selector).isTrue();
    assertThat(labelSelectorMatches(selector, deployment.at("/spec/selector/matchLabels"))).as(selector).isTrue();
    assertThat(config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"))
        .isEqualTo("kubernetes-api");
    assertThat(config.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"))
        .isEqualTo(3);
    assertThat(config.getDuration("fleet-sre.cluster.join-timeout").toMinutes()).isEqualTo(5);
    assertThat(config.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
  }

  @Test
  void managementPortMatchesBootstrapPortName() throws IOException {
    JsonNode deployment = render(Map.of()).get("Deployment");
    Config config = engineConfig(deployment);
    JsonNode container = container(deployment);
    String portName = config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name");

    assertThat(containerPort(container, portName)).isEqualTo(config.getInt("pekko.management.http.port"));
    assertThat(containerPort(container, "remoting")).isEqualTo(config.getInt("pekko.remote.artery.canonical.port"));
    assertThat(containerPort(container, "http")).isEqualTo(config.getInt("fleet-sre.http.port"));
    assertThat(env(deployment).get("FLEET_SRE_CLUSTER_HOSTNAME").at("/valueFrom/fieldRef/fieldPath").asText())
        .isEqualTo("status.podIP");
    assertThat(config.getString("fleet-sre.http.interface")).isEqualTo("0.0.0.0");
  }

  @Test
  void extraConfigIsMountedAndLoads(@TempDir Path temp) throws IOException {
    Map<String, JsonNode> objects = render(Map.of("extraConfig", "fleet-sre.incident.max-steps = 7"));
    JsonNode pod = objects.get("Deployment").at("/spec/template/spec");
    JsonNode configMap = objects.get("ConfigMap");
    Path file = Files.writeString(temp.resolve("extra.conf"), configMap.at("/data/extra.conf").asText());

    assertThat(volume(pod, "config").at("/configMap/name").asText()).isEqualTo(configMap.at("/metadata/name").asText());
    assertThat(mountPath(pod.at("/containers/0"), "config")).isEqualTo("/etc/fleet-sre");
    assertThat(Main.loadConfig(file.toFile()).getInt("fleet-sre.incident.max-steps")).isEqualTo(7);
  }

  @Test
  void commandQueueAndExecutorRoleFollowValues(@TempDir Path temp) throws IOException {
    Map<String, JsonNode> objects = render(Map.of());
    Path executor = Files.writeString(temp.resolve("executor.conf"),
        objects.get("ConfigMap").at("/data/extra.conf").asText());
    Path dispatchOnly = Files.writeString(temp.resolve("dispatch-only.conf"),
        render(Map.of("executor.enabled", "false")).get("ConfigMap").at("/data/extra.conf").asText());

    assertThat(engineConfig(objects.get("Deployment")).getString("fleet-sre.execution.queue")).isEqualTo("redis");
    assertThat(Main.loadConfig(executor.toFile()).getStringList("fleet-sre.roles")).containsExactly("executor");
    assertThat(Main.loadConfig(dispatchOnly.toFile()).getStringList("fleet-sre.roles")).isEmpty();
    assertThat(engineConfig(render(Map.of("commandQueue", "memory")).get("Deployment"))
        .getString("fleet-sre.execution.queue")).isEqualTo("memory");
  }

  @Test
  void judgeSettingsReachEngine() throws IOException {
    JsonNode deployment = render(Map.of("judge.kind", "model", "judge.model.provider", "openai",
        "judge.model.url", "http://judge.example.internal/v1", "judge.model.name", "judge-1")).get("Deployment");
    Map<String, JsonNode> env = env(deployment);
    Config config = engineConfig(deployment);

    assertThat(config.getString("fleet-sre.judge.kind")).isEqualTo("model");
    assertThat(config.getString("fleet-sre.judge.model.url")).isEqualTo("http://judge.example.internal/v1");
    assertThat(config.getString("fleet-sre.judge.model.name")).isEqualTo("judge-1");
    assertThat(env.get("FLEET_SRE_JUDGE_MODEL_API_KEY").has("value")).isFalse();
    assertThat(env.get("FLEET_SRE_JUDGE_MODEL_API_KEY").at("/valueFrom/secretKeyRef/key").asText())
        .isEqualTo("judge-model-api-key");
    assertThat(engineConfig(render(Map.of()).get("Deployment")).getString("fleet-sre.judge.kind"))
        .isEqualTo("structural");
  }

  @Test
  void sshSecretIsMountedReadOnly() throws IOException {
    JsonNode withoutSecret = render(Map.of()).get("Deployment").at("/spec/template/spec");
    JsonNode pod = render(Map.of("ssh.secretName", "fleet-sre-ssh")).get("Deployment").at("/spec/template/spec");

    assertThat(withoutSecret.at("/volumes").findValuesAsText("name")).doesNotContain("ssh");
    assertThat(volume(pod, "ssh").at("/secret/secretName").asText()).isEqualTo("fleet-sre-ssh");
    assertThat(volume(pod, "ssh").at("/secret/defaultMode").asInt()).isEqualTo(0400);
    assertThat(mountPath(pod.at("/containers/0"), "ssh")).isEqualTo("/etc/fleet-sre/ssh");
  }

  @Test
  void pdbAndServiceSelectThePods() throws IOException {
    Map<String, JsonNode> objects = render(Map.of());
    JsonNode podLabels = objects.get("Deployment").at("/spec/template/metadata/labels");

    assertThat(objects.get("PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(objects.get("PodDisruptionBudget").at("/spec/selector/matchLabels")).isEqualTo(
        objects.get("Deployment").at("/spec/selector/matchLabels"));
    assertThat(objects.get("Service").at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    objects.get("Service").at("/spec/selector").fields()
        .forEachRemaining(label -> assertThat(podLabels.get(label.getKey())).isEqualTo(label.getValue()));
  }

  // ---- helpers ----

  /** Renders the chart with the example values and {@code sets} on top; returns the objects by kind. */
  private static Map<String, JsonNode> render(Map<String, Object> sets) throws IOException {
    var template = new Helm(CHART).template().withName(RELEASE).withNamespace("sre").withValuesFile(EXAMPLE_VALUES);
    sets.forEach(template::set);
    String manifests = template.call();
    Map<String, JsonNode> byKind = new HashMap<>();
    try (var parser = new YAMLFactory().createParser(manifests)) {
      for (JsonNode document : new ObjectMapper().readValues(parser, JsonNode.class).readAll()) {
        if (document != null && document.has("kind")) {
          assertThat(byKind.put(document.get("kind").asText(), document)).as("two objects of kind %s", document.get("kind"))
              .isNull();
        }
      }
    }
    return byKind;
  }

  private static JsonNode container(JsonNode deployment) {
    return deployment.at("/spec/template/spec/containers/0");
  }

  private static Map<String, JsonNode> env(JsonNode deployment) {
    Map<String, JsonNode> env = new HashMap<>();
    container(deployment).at("/env").forEach(variable -> env.put(variable.get("name").asText(), variable));
    return env;
  }

  private static Map<String, JsonNode> env(Map<String, JsonNode> objects) {
    return env(objects.get("Deployment"));
  }

  private static String mountPath(JsonNode container, String volume) {
    for (JsonNode mount : container.at("/volumeMounts")) {
      if (mount.get("name").asText().equals(volume)) {
        return mount.get("mountPath").asText();
      }
    }
    throw new AssertionError("no volume mount named " + volume + " in " + container.at("/volumeMounts"));
  }

  private static JsonNode volume(JsonNode pod, String name) {
    for (JsonNode volume : pod.at("/volumes")) {
      if (volume.get("name").asText().equals(name)) {
        return volume;
      }
    }
    throw new AssertionError("no volume named " + name + " in " + pod.at("/volumes"));
  }

  private static int containerPort(JsonNode container, String name) {
    for (JsonNode port : container.at("/ports")) {
      if (port.get("name").asText().equals(name)) {
        return port.get("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + name + " in " + container.at("/ports"));
  }

  /**
   * Loads the engine's configuration as the container would: the plain values of the rendered
   * environment stand in for the process environment that application.conf reads.
   */
  private static Config engineConfig(JsonNode deployment) {
    Map<String, String> variables = new HashMap<>();
    env(deployment).forEach((name, variable) -> {
      if (variable.has("value")) {
        variables.put(name, variable.get("value").asText());
      } else if (name.equals("FLEET_SRE_CLUSTER_HOSTNAME")) {
        variables.put(name, "10.1.2.3");
      }
    });
    Config application = ConfigFactory.parseResources("application.conf");
    return ConfigFactory.parseMap(variables).withFallback(application).withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /** Checks whether a selector of equality terms ({@code a=b,c=d}) matches the labels. */
  private static boolean labelSelectorMatches(String selector, JsonNode labels) {
    for (String term : selector.split(",")) {
      String[] keyValue = term.split("=", 2);
      if (keyValue.length != 2 || !labels.path(keyValue[0].trim()).asText("").equals(keyValue[1].trim())) {
        return false;
      }
    }
    return true;
  }

  /** Copies the chart to {@code temp}, its values.yaml overlaid with {@code overrides}. */
  private static Path copyChartWithValues(Path temp, Path overrides) throws IOException {
    Path target = temp.resolve("fleet-sre");
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(CHART)) {
      sources = new ArrayList<>(walk.toList());
    }
    for (Path source : sources) {
      Path copy = target.resolve(CHART.relativize(source).toString());
      if (Files.isDirectory(source)) {
        Files.createDirectories(copy);
      } else {
        Files.copy(source, copy);
      }
    }
    ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
    YAML.readerForUpdating(values).readValue(overrides.toFile());
    YAML.writeValue(target.resolve("values.yaml").toFile(), values);
    return target;
  }
}
