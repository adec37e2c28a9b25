package app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with {@code discovery = kubernetes-api}, as the Helm chart runs it, against a fake
 * Kubernetes API: an HTTPS server on 127.0.0.1 with a self-signed certificate that returns one
 * running pod, this engine, for the pod list request. Cluster Bootstrap has to query it, probe the
 * engine's own Pekko Management endpoint, form a new cluster and, on SIGTERM, leave it.
 */
class KubernetesBootstrapTest {

  private static final String STORE_PASSWORD = "test-store";
  private static final String API_TOKEN = "service-account-token";

  @Test
  void bootstrapFormsClusterFromPodList(@TempDir Path temp) throws Exception {
    int httpPort = TestEnvironment.freePort();
    int managementPort = TestEnvironment.freePort();
    Path keyStore = temp.resolve("api.p12");
    Path caFile = temp.resolve("ca.crt");
    writeSelfSignedCertificate(keyStore, caFile);
    Path tokenFile = Files.writeString(temp.resolve("token"), API_TOKEN);
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpsServer api = startFakeApi(keyStore, podList(managementPort), requests);
    Path config = Files.writeString(temp.resolve("test.conf"), """
        fleet-sre.data-dir = "%s"
        pekko.discovery.kubernetes-api {
          api-ca-path = "%s"
          api-token-path = "%s"
          pod-namespace = "sre"
        }
        pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin = 1s
        """.formatted(temp.resolve("data"), caFile, tokenFile));
    Map<String, String> environment = Map.of(
        "FLEET_SRE_CLUSTER_DISCOVERY", "kubernetes-api",
        "FLEET_SRE_CLUSTER_SERVICE_NAME", "ops",
        "FLEET_SRE_CLUSTER_POD_SELECTOR", "app.kubernetes.io/name=fleet-sre,app.kubernetes.io/instance=%s",
        "FLEET_SRE_CLUSTER_REQUIRED_CONTACT_POINTS", "1",
        "FLEET_SRE_MANAGEMENT_PORT", String.valueOf(managementPort),
        "KUBERNETES_SERVICE_HOST", "127.0.0.1",
        "KUBERNETES_SERVICE_PORT", String.valueOf(api.getAddress().getPort()),
        "FLEET_SRE_PEKKO_LOG_LEVEL", "INFO");
    Path log = temp.resolve("engine.log");

    try (EngineProcess engine = EngineProcess.start(environment, log, log, "serve", "--config", config.toString(),
        "--port", String.valueOf(httpPort))) {
      int ready = awaitStatus(engine, httpPort, "/health/ready", Duration.ofSeconds(90));
      String seedNodes = get(managementPort, "/bootstrap/seed-nodes").body();
      engine.process.destroy();
      boolean exited = engine.process.waitFor(60, TimeUnit.SECONDS);
      String output = Files.readString(log);

      assertThat(ready).as(output).isEqualTo(200);
      assertThat(requests).as(output).isNotEmpty();
      assertThat(requests.get(0)).isEqualTo("/api/v1/namespaces/sre/pods"
          + "?labelSelector=app.kubernetes.io/name=fleet-sre,app.kubernetes.io/instance=ops Bearer " + API_TOKEN);
      assertThat(output).contains("joining the cluster with discovery [kubernetes-api]");
      assertThat(output).contains("Pekko Management listening on [http://127.0.0.1:" + managementPort);
      assertThat(seedNodes).contains("\"selfNode\":\"pekko://fleet-sre@127.0.0.1:");
      assertThat(exited).as(output).isTrue();
      assertThat(engine.process.exitValue()).as(output).isEqualTo(143);
      assertThat(output).contains("Initiating new cluster, self-joining");
      assertThat(output).containsPattern("Marked address \\[pekko://fleet-sre@127.0.0.1:\\d+\\] as \\[Leaving\\]");
      assertThat(output).contains("Exiting completed");
    } finally {
      api.stop(0);
    }
  }

  /** Builds a pod list of one running pod at 127.0.0.1 that serves Pekko Management on {@code managementPort}. */
  private static String podList(int managementPort) {
    return """
        {"kind": "PodList", "apiVersion": "v1", "items": [{
          "metadata": {"name": "ops-fleet-sre-0", "namespace": "sre"},
          "spec": {"containers": [{"name": "fleet-sre", "ports": [
            {"name": "http", "containerPort": 8080},
            {"name": "management", "containerPort": %d}]}]},
          "status": {"phase": "Running", "podIP": "127.0.0.1",
            "containerStatuses": [{"name": "fleet-sre", "state": {"running": {}}}]}
        }]}
        """.formatted(managementPort);
  }

  /** Serves {@code podList} on the pod list path; each request is recorded as "PATH?QUERY AUTHORIZATION". */
  private static HttpsServer startFakeApi(Path keyStoreFile, String podList, List<String> requests) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStoreFile)) {
      keyStore.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore, STORE_PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), null, null);

    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/api/v1/namespaces/", exchange -> {
      URI uri = exchange.getRequestURI();
      requests.add(uri.getPath() + "?" + uri.getQuery() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
      boolean podsPath = uri.getPath().equals("/api/v1/namespaces/sre/pods");
      byte[] body = (podsPath ? podList : "{\"kind\": \"Status\", \"code\": 404}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(podsPath ? 200 : 404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }

  /** Writes a key store with a self-signed certificate for 127.0.0.1, and that certificate as PEM. */
  private static void writeSelfSignedCertificate(Path keyStore, Path pemFile) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
    run(keytool, "-exportcert", "-rfc", "-alias", "api", "-keystore", keyStore.toString(),
        "-storepass", STORE_PASSWORD, "-file", pemFile.toString());
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
  }

  /** Polls {@code path} until it returns 200 or the engine exits; returns the last status (0: no response). */
  private static int awaitStatus(EngineProcess engine, int port, String path, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int status = 0;
    while (System.nanoTime() < deadline && engine.process.isAlive()) {
      try {
        status = get(port, path).statusCode();
        if (status == 200) {
          return status;
        }
      } catch (IOException notListeningYet) {
        // The HTTP port opens once the node is a cluster member.
      }
      Thread.sleep(200);
    }
    return status;
  }

  private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
