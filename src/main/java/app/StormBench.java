package app;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench storm}: starts a real engine on a simulated fleet (in-memory H2 journal, JSON Lines
 * insights in a temporary directory, playbook brain), posts one Alertmanager alert per host over
 * HTTP on 127.0.0.1, retrying after Retry-After on 503, and waits until every accepted alert has
 * its insight in the JSON Lines file.
 */
final class StormBench {

  private static final Logger LOG = LoggerFactory.getLogger(StormBench.class);

  /** Alert names that pick the four playbooks in turn: disk-space, resource-hogs, excessive-requests, config-downtime. */
  private static final List<String> ALERT_NAMES =
      List.of("NodeFilesystemAlmostOutOfSpace", "HostHighCpuLoad", "HighRequestRate", "NginxDown");

  /**
   * Parameters of one run.
   *
   * @param hosts alerts posted, one per host {@code sim-00001} upward
   * @param concurrency HTTP requests in flight at once
   * @param maxInFlight the engine's cap on commands in flight
   * @param ratePerSecond the engine's rate of command starts
   * @param queueSize the engine's command queue
   * @param passivation idle time after which an incident is stopped and its memory freed
   * @param latency median command latency of the simulated fleet
   * @param p99 99th percentile of the command latency
   * @param accessLogLines lines in each simulated access log
   * @param insightsDirectory where the temporary directory with the JSON Lines file is created; null for the system default
   * @param timeout how long to wait for all insights
   * @param auditLog whether the audit log (two lines per command on stderr) stays on
   */
  record Parameters(int hosts, int concurrency, int maxInFlight, int ratePerSecond, int queueSize,
      Duration passivation, Duration latency, Duration p99, int accessLogLines, Path insightsDirectory,
      Duration timeout, boolean auditLog) {}

  private StormBench() {}

  static ObjectNode run(Parameters parameters) throws Exception {
    if (!parameters.auditLog()) {
      setLogLevel("fleet-sre.audit", "WARN");
    }
    Path directory = parameters.insightsDirectory() == null
        ? Files.createTempDirectory("fleet-sre-storm-")
        : Files.createTempDirectory(parameters.insightsDirectory(), "fleet-sre-storm-");
    Path insights = directory.resolve("insights.jsonl");
    Config config = config(parameters, directory, insights);

    long baselineHeap = heapAfterGc();
    try (Engine engine = Engine.start(config)) {
      int port = engine.bindHttp(0).getPort();
      LOG.info("storm benchmark: engine on port [{}], insights in [{}]", port, insights);

      AtomicLong accepted = new AtomicLong();
      AtomicLong retries = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      InsightCounter counter = new InsightCounter(insights);
      long started = System.nanoTime();
      long acceptedNanos;
      long insightNanos;
      long peakHeap;
      try (BenchProgress progress = new BenchProgress("storm", () -> String.format(Locale.ROOT,
          "%d/%d alerts accepted (%d retries after 503), %d insights", accepted.get(), parameters.hosts(),
          retries.get(), counter.refreshQuietly()))) {
        post(parameters, port, accepted, retries, errors);
        acceptedNanos = System.nanoTime() - started;

        long deadline = System.nanoTime() + parameters.timeout().toNanos();
        while (counter.refresh() < accepted.get() && System.nanoTime() < deadline) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        insightNanos = System.nanoTime() - started;
        peakHeap = progress.peakHeapBytes();
      }
      long insightCount = counter.refresh();
      long incidents = Math.max(1, accepted.get());

      ObjectNode figures = Json.mapper().createObjectNode();
      figures.put("bench", "storm");
      figures.put("hosts", parameters.hosts());
      figures.put("concurrency", parameters.concurrency());
      figures.put("maxInFlight", parameters.maxInFlight());
      figures.put("ratePerSecond", parameters.ratePerSecond());
      figures.put("queueSize", parameters.queueSize());
      figures.put("passivationSeconds", parameters.passivation().toSeconds());
      figures.put("medianLatencyMillis", parameters.latency().toMillis());
      figures.put("p99LatencyMillis", parameters.p99().toMillis());
      figures.put("accessLogLines", parameters.accessLogLines());
      figures.put("insightsFile", insights.toString());
      figures.put("accepted", accepted.get());
      figures.put("retriesAfter503", retries.get());
      figures.put("httpErrors", errors.get());
      figures.put("acceptSeconds", DispatchBench.round(acceptedNanos / 1e9, 3));
      figures.put("acceptedPerSecond", DispatchBench.round(accepted.get() / (acceptedNanos / 1e9), 1));
      figures.put("insights", insightCount);
      figures.put("secondsUntilAllInsights", DispatchBench.round(insightNanos / 1e9, 3));
      figures.put("insightsPerSecond", DispatchBench.round(insightCount / (insightNanos / 1e9), 1));
      figures.set("insightStatuses", Json.mapper().valueToTree(counter.statuses()));
      figures.put("lost", accepted.get() - insightCount);
      figures.put("baselineHeapBytes", baselineHeap);
      figures.put("peakHeapBytes", peakHeap);
      figures.put("heapPerIncidentBytes", (peakHeap - baselineHeap) / incidents);
      figures.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
      figures.put("availableProcessors", Runtime.getRuntime().availableProcessors());
      return figures;
    }
  }

  private static Config config(Parameters parameters, Path directory, Path insights) {
    String overrides = """
        fleet-sre {
          data-dir = "%1$s"
          journal.url = "jdbc:h2:mem:storm-%2$s;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE"
          http.port = 0
          insights { sink = jsonl, jsonl-file = "%3$s" }
          inventory.default { runner = simulated }
          simulated {
            hosts = %4$d
            latency { distribution = log-normal, median = %5$dms, p99 = %6$dms }
            access-log-lines = %11$d
          }
          execution { max-in-flight = %7$d, rate-per-second = %8$d, queue-size = %9$d }
          incident { command-timeout = 5s, dispatch-retry = 200ms }
        }
        pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = %10$ds
        """.formatted(directory, UUID.randomUUID(), insights, Math.max(parameters.hosts(), 1), parameters.latency().toMillis(),
        parameters.p99().toMillis(), parameters.maxInFlight(), parameters.ratePerSecond(), parameters.queueSize(),
        parameters.passivation().toSeconds(), parameters.accessLogLines());
    return ConfigFactory.load(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultApplication()));
  }

  /** Posts one alert per host with at most {@code concurrency} requests in flight; a 503 is sent again after Retry-After. */
  private static void post(Parameters parameters, int port, AtomicLong accepted, AtomicLong retries, AtomicLong errors)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/alerts/alertmanager");
    Semaphore permits = new Semaphore(parameters.concurrency());
    int width = Math.max(5, Integer.toString(parameters.hosts()).length());
    for (int number = 1; number <= parameters.hosts(); number++) {
      String digits = Integer.toString(number);
      String host = "sim-" + "0".repeat(Math.max(0, width - digits.length())) + digits;
      String body = payload(ALERT_NAMES.get(number % ALERT_NAMES.size()), host);
      permits.acquire();
      send(http, uri, body, host, permits, accepted, retries, errors);
    }
    permits.acquire(parameters.concurrency());
  }

  private static void send(HttpClient http, URI uri, String body, String host, Semaphore permits, AtomicLong accepted,
      AtomicLong retries, AtomicLong errors) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
      if (failure != null) {
        LOG.error("storm benchmark: alert for host [{}] failed", host, failure);
        errors.incrementAndGet();
        permits.release();
        return;
      }
      if (response.statusCode() == 503) {
        retries.incrementAndGet();
        long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
        CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS)
            .execute(() -> send(http, uri, body, host, permits, accepted, retries, errors));
        return;
      }
      if (response.statusCode() == 202) {
        accepted.addAndGet(acceptedCount(response.body()));
      } else {
        LOG.error("storm benchmark: alert for host [{}] got HTTP {}: {}", host, response.statusCode(), response.body());
        errors.incrementAndGet();
      }
      permits.release();
    });
  }

  private static int acceptedCount(String body) {
    try {
      return Json.mapper().readTree(body).path("accepted").size();
    } catch (IOException e) {
      LOG.error("storm benchmark: invalid 202 body [{}]", body, e);
      return 0;
    }
  }

  private static String payload(String alertName, String host) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"%1$s\\"}","truncatedAlerts":0,"status":"firing",
         "receiver":"fleet-sre","groupLabels":{"alertname":"%1$s"},"commonLabels":{"alertname":"%1$s"},
         "commonAnnotations":{},"externalURL":"http://alertmanager.invalid",
         "alerts":[{"status":"firing","labels":{"alertname":"%1$s","instance":"%2$s:9100","severity":"critical"},
           "annotations":{"summary":"storm benchmark alert"},"startsAt":"%3$s","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://prometheus.invalid/graph","fingerprint":"storm-%2$s"}]}
        """.formatted(alertName, host, Instant.now());
  }

  private static long heapAfterGc() {
    System.gc();
    return BenchProgress.heapUsedBytes();
  }

  private static void setLogLevel(String logger, String level) {
    if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(ch.qos.logback.classic.Level.toLevel(level));
    }
  }

  /** Reads the JSON Lines file as it grows and counts distinct incident ids and insight statuses. */
  private static final class InsightCounter {
    private final Path file;
    private final Set<String> incidentIds = new HashSet<>();
    private final Map<String, Integer> statuses = new TreeMap<>();
    private long offset;
    private volatile long count;

    InsightCounter(Path file) {
      this.file = file;
    }

    /** Returns {@link #refresh()}, or the last count when the file cannot be read, for progress lines. */
    long refreshQuietly() {
      try {
        return refresh();
      } catch (IOException e) {
        LOG.warn("storm benchmark: cannot read insights file [{}]: {}", file, e.toString());
        return count;
      }
    }

    synchronized Map<String, Integer> statuses() {
      return new TreeMap<>(statuses);
    }

    /** Reads the lines appended since the last call; a partly written last line is read next time. */
    synchronized long refresh() throws IOException {
      if (!Files.exists(file)) {
        return 0;
      }
      try (RandomAccessFile reader = new RandomAccessFile(file.toFile(), "r")) {
        long length = reader.length();
        if (length <= offset) {
          return count;
        }
        byte[] bytes = new byte[(int) (length - offset)];
        reader.seek(offset);
        reader.readFully(bytes);
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
          if (bytes[i] == '\n') {
            JsonNode insight = Json.mapper().readTree(new String(bytes, start, i - start, StandardCharsets.UTF_8));
            if (incidentIds.add(insight.path("incidentId").asText())) {
              statuses.merge(insight.path("status").asText(), 1, Integer::sum);
            }
            start = i + 1;
          }
        }
        offset += start;
      }
      count = incidentIds.size();
      return count;
    }
  }
}
