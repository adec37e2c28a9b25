package api;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import actors.AlertIntake;
import actors.IncidentState;
import actors.IngestReply;
import agent.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: alert ingest (native JSON and the Alertmanager webhook), incident lookup and
 * health. An alert is acknowledged with 202 only after its incident has persisted it.
 */
public final class AlertRoutes extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(AlertRoutes.class);

  private final ActorSystem<?> system;
  private final AlertIntake intake;
  private final AlertParser parser;
  private final HttpSettings settings;
  private final BooleanSupplier saturated;
  private final BooleanSupplier ready;
  private final Clock clock;
  private final MeterRegistry meters;

  public AlertRoutes(ActorSystem<?> system, AlertIntake intake, HttpSettings settings, BooleanSupplier saturated,
      BooleanSupplier ready, Clock clock, MeterRegistry meters) {
    this.meters = meters;
    this.system = system;
    this.intake = intake;
    this.parser = new AlertParser(settings.hostLabels());
    this.settings = settings;
    this.saturated = saturated;
    this.ready = ready;
    this.clock = clock;
  }

  private interface BodyParser {
    AlertParser.Batch parse(JsonNode body) throws AlertParser.InvalidAlertException;
  }

  public Route routes() {
    return routes(reject());
  }

  /** Returns every route, with {@code moreApi} served under {@code /api/v1} behind the same authentication. */
  public Route routes(Route moreApi) {
    return handleRejections(jsonRejections(), () -> concat(
        path(segment("health").slash("live"), () -> get(() -> json(StatusCodes.OK, Map.of("status", "live")))),
        path("metrics", () -> get(() -> json(StatusCodes.OK, metrics()))),
        path(segment("health").slash("ready"), () -> get(() -> ready.getAsBoolean()
            ? json(StatusCodes.OK, Map.of("status", "ready"))
            : json(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "starting")))),
        pathPrefix(segment("api").slash("v1"), () -> authenticated(() -> concat(
            path("alerts", () -> post(() -> ingest(
                body -> new AlertParser.Batch(parser.parseNative(body, clock.instant()), List.of())))),
            path(segment("alerts").slash("alertmanager"),
                () -> post(() -> ingest(body -> parser.parseAlertmanagerBatch(body, clock.instant())))),
            path(segment("incidents").slash(segment()), incidentId -> get(() -> incident(incidentId))),
            moreApi)))));
  }

  /** Pekko's default rejection responses (404, 405, ...) with their text moved into a JSON error body. */
  private static RejectionHandler jsonRejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity() instanceof HttpEntity.Strict strict
          && !strict.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        String text = strict.getData().utf8String();
        return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
            Json.write(error(text, List.of()))));
      }
      return response;
    });
  }

  /** Every meter as {@code name{tag=value,...}} with its value: counters their count, gauges their value. */
  private Map<String, Double> metrics() {
    Map<String, Double> values = new java.util.TreeMap<>();
    for (Meter meter : meters.getMeters()) {
      String tags = meter.getId().getTags().stream().map(t -> t.getKey() + "=" + t.getValue())
          .collect(java.util.stream.Collectors.joining(","));
      String name = meter.getId().getName() + (tags.isEmpty() ? "" : "{" + tags + "}");
      meter.measure().forEach(m -> values.put(name, m.getValue()));
    }
    return values;
  }

  // ---- authentication ----

  private Route authenticated(java.util.function.Supplier<Route> inner) {
    if (settings.bearerToken().isEmpty()) {
      return inner.get();
    }
    return optionalHeaderValueByName("Authorization", header -> {
      String expected = "Bearer " + settings.bearerToken();
      boolean valid = header.isPresent() && MessageDigest.isEqual(
          header.get().getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
      if (valid) {
        return inner.get();
      }
      return respondWithHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"fleet-sre\""), () ->
          json(StatusCodes.UNAUTHORIZED, error(header.isPresent()
              ? "invalid bearer token" : "missing Authorization header; expected \"Authorization: Bearer <token>\"",
              List.of())));
    });
  }

  // ---- ingest ----

  private Route ingest(BodyParser bodyParser) {
    return extractRequest(request -> {
      Optional<Route> rejected = checkEnvelope(request);
      if (rejected.isPresent()) {
        return rejected.get();
      }
      CompletionStage<HttpResponse> response = request.entity()
          .toStrict(settings.bodyTimeout().toMillis(), settings.maxBodyBytes(), system)
          .thenCompose(strict -> accept(strict.getData().utf8String(), bodyParser))
          .exceptionally(this::failureResponse);
      return completeWithFuture(response);
    });
  }

  /** Rejects a request by its headers alone: wrong content type, declared body too large, engine saturated. */
  private Optional<Route> checkEnvelope(HttpRequest request) {
    var contentType = request.entity().getContentType();
    if (!contentType.mediaType().equals(MediaTypes.APPLICATION_JSON)) {
      return Optional.of(json(StatusCodes.UNSUPPORTED_MEDIA_TYPE, error(
          "unsupported content type [" + contentType + "]; send the alert as application/json", List.of())));
    }
    var length = request.entity().getContentLengthOption();
    if (length.isPresent() && length.getAsLong() > settings.maxBodyBytes()) {
      return Optional.of(json(StatusCodes.PAYLOAD_TOO_LARGE, tooLarge()));
    }
    if (saturated.getAsBoolean()) {
      return Optional.of(respondWithHeader(RawHeader.create("Retry-After", String.valueOf(settings.retryAfter().toSeconds())),
          () -> json(StatusCodes.SERVICE_UNAVAILABLE, error(
              "the engine is saturated: the command queue is full; retry after the Retry-After delay", List.of()))));
    }
    return Optional.empty();
  }

  private CompletionStage<HttpResponse> accept(String body, BodyParser bodyParser) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      return CompletableFuture.completedFuture(response(StatusCodes.BAD_REQUEST,
          error("invalid JSON: " + e.getOriginalMessage(), List.of(Map.of("field", "$",
              "problem", "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr())))));
    }
    if (node == null || node.isMissingNode()) {
      return CompletableFuture.completedFuture(response(StatusCodes.BAD_REQUEST,
          error("empty body; send an alert as JSON", List.of())));
    }

    AlertParser.Batch batch;
    try {
      batch = bodyParser.parse(node);
    } catch (AlertParser.InvalidAlertException e) {
      List<Map<String, String>> details = new ArrayList<>();
      for (AlertParser.Problem problem : e.problems()) {
        details.add(Map.of("field", problem.field(), "problem", problem.problem()));
      }
      return CompletableFuture.completedFuture(response(StatusCodes.BAD_REQUEST, error("invalid alert", details)));
    }

    List<Map<String, String>> skipped = new ArrayList<>();
    for (AlertParser.Problem problem : batch.skipped()) {
      LOG.warn("alert left out of an Alertmanager payload: [{}] {}", problem.field(), problem.problem());
      skipped.add(Map.of("field", problem.field(), "problem", problem.problem()));
    }
    List<CompletableFuture<Map<String, String>>> accepted = new ArrayList<>();
    for (AlertParser.ParsedAlert parsed : batch.alerts()) {
      CompletionStage<IngestReply.Accepted> reply =
          parsed.resolved() ? intake.resolved(parsed.alert()) : intake.firing(parsed.alert());
      accepted.add(reply.thenApply(a -> {
        Map<String, String> item = new LinkedHashMap<>();
        item.put("incidentId", a.incidentId());
        item.put("host", parsed.alert().host());
        item.put("kind", parsed.alert().kind());
        item.put("status", parsed.resolved() ? "resolved" : "firing");
        item.put("disposition", a.disposition());
        return item;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<Map<String, String>> items = accepted.stream().map(CompletableFuture::join).toList();
      return response(StatusCodes.ACCEPTED, skipped.isEmpty()
          ? Map.of("accepted", items)
          : Map.of("accepted", items, "skipped", skipped));
    });
  }

  private HttpResponse failureResponse(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof EntityStreamSizeException || (cause instanceof EntityStreamException streamFailure
        && streamFailure.info().summary().contains("too large"))) {
      return response(StatusCodes.PAYLOAD_TOO_LARGE, tooLarge());
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      LOG.warn("alert not acknowledged: the incident did not confirm in time: {}", cause.toString());
      return response(StatusCodes.SERVICE_UNAVAILABLE, error(
          "the incident did not confirm the alert in time; nothing was acknowledged, send it again", List.of()))
          .addHeader(RawHeader.create("Retry-After", String.valueOf(settings.retryAfter().toSeconds())));
    }
    LOG.error("alert ingest failed: {}", cause.getClass().getName(), cause);
    return response(StatusCodes.INTERNAL_SERVER_ERROR, error("internal error: " + cause.getMessage(), List.of()));
  }

  private Map<String, Object> tooLarge() {
    return error("body larger than the limit of " + settings.maxBodyBytes() + " bytes; split the payload", List.of());
  }

  // ---- incidents ----

  private Route incident(String incidentId) {
    CompletionStage<HttpResponse> response = intake.details(incidentId)
        .thenApply(state -> state.phase() == IncidentState.Phase.EMPTY
            ? response(StatusCodes.NOT_FOUND, error("incident [" + incidentId + "] not found", List.of()))
            : response(StatusCodes.OK, IncidentView.of(state)))
        .exceptionally(this::failureResponse);
    return completeWithFuture(response);
  }

  // ---- helpers ----

  static Map<String, Object> error(String message, List<Map<String, String>> details) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    if (!details.isEmpty()) {
      body.put("details", details);
    }
    return body;
  }

  private Route json(StatusCode status, Object body) {
    return complete(response(status, body));
  }

  static HttpResponse response(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body)));
  }
}
