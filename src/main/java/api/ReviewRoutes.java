package api;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import actors.AlertIntake;
import actors.GuidelinesView;
import actors.Review;
import actors.ReviewQueue;
import agent.Guidelines;
import agent.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The review API under {@code /api/v1}: the human review queue (list, show, claim, verdict,
 * agreement stats) and the judge guidelines (list, add). {@link AlertRoutes} serves these behind its
 * bearer-token authentication.
 */
public final class ReviewRoutes extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(ReviewRoutes.class);

  /** Maximum length of a reviewer name, verdict, label or review id, in characters. */
  static final int MAX_REVIEWER = 200;

  /** Maximum length of a reviewer's notes or a guideline text, in characters. */
  static final int MAX_TEXT = 10_000;

  /** Maximum and default number of reviews one list request returns. */
  static final int MAX_LIMIT = 500;
  static final int DEFAULT_LIMIT = 50;

  private final ActorSystem<?> system;
  private final ActorRef<ReviewQueue.Command> queue;
  private final GuidelinesView guidelines;
  private final AlertIntake intake;
  private final HttpSettings settings;
  private final Duration askTimeout;
  private final Clock clock;

  public ReviewRoutes(ActorSystem<?> system, ActorRef<ReviewQueue.Command> queue, GuidelinesView guidelines,
      AlertIntake intake, HttpSettings settings, Duration askTimeout, Clock clock) {
    this.system = system;
    this.queue = queue;
    this.guidelines = guidelines;
    this.intake = intake;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.clock = clock;
  }

  /** One field problem of a request body or query, as the error body lists it. */
  private record Problem(String field, String problem) {
    Map<String, String> toMap() {
      return Map.of("field", field, "problem", problem);
    }
  }

  public Route routes() {
    return concat(
        pathPrefix("reviews", () -> concat(
            pathEnd(() -> get(() -> parameterOptional("status", status -> parameterOptional("useCase",
                useCase -> parameterOptional("limit", limit -> list(status, useCase, limit)))))),
            path("stats", () -> get(this::stats)),
            path(segment(), reviewId -> get(() -> show(reviewId))),
            path(segment().slash("claim"), reviewId -> post(() -> withJsonBody(body -> claim(reviewId, body)))),
            path(segment().slash("verdict"), reviewId -> post(() -> withJsonBody(body -> decide(reviewId, body)))))),
        path("guidelines", () -> concat(
            get(this::listGuidelines),
            post(() -> withJsonBody(this::addGuideline)))));
  }

  // ---- reviews ----

  private Route list(Optional<String> status, Optional<String> useCase, Optional<String> limitText) {
    List<Problem> problems = new ArrayList<>();
    String statusFilter = status.orElse("");
    if (!statusFilter.isEmpty() && !Review.STATUSES.contains(statusFilter)) {
      problems.add(new Problem("status", "invalid value [" + statusFilter + "]; expected one of "
          + String.join(", ", Review.STATUSES) + ", or leave it out for all"));
    }
    int limit = DEFAULT_LIMIT;
    if (limitText.isPresent()) {
      try {
        limit = Integer.parseInt(limitText.get());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        problems.add(new Problem("limit", "invalid value [" + limitText.get() + "]; expected a whole number from 1 to "
            + MAX_LIMIT));
      }
    }
    if (!problems.isEmpty()) {
      return complete(invalid("invalid query", problems));
    }
    int pageSize = limit;
    CompletionStage<HttpResponse> response = this.<ReviewQueue.ReviewList>ask(
            replyTo -> new ReviewQueue.ListReviews(statusFilter, useCase.orElse(""), pageSize, replyTo))
        .thenApply(page -> {
          List<ObjectNode> reviews = page.reviews().stream().map(this::view).toList();
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("reviews", reviews);
          body.put("matched", page.matched());
          body.put("limit", pageSize);
          return AlertRoutes.response(StatusCodes.OK, body);
        });
    return completeWithFuture(response.exceptionally(this::failure));
  }

  private Route show(String reviewId) {
    CompletionStage<HttpResponse> response = this.<ReviewQueue.ReviewReply>ask(
            replyTo -> new ReviewQueue.GetReview(reviewId, replyTo))
        .thenCompose(reply -> {
          if (reply.result() != ReviewQueue.Result.OK) {
            return CompletableFuture.completedFuture(reviewReply(reply));
          }
          return intake.details(reply.review().incidentId()).thenApply(incident -> {
            ObjectNode body = view(reply.review());
            body.set("insight", Json.mapper().valueToTree(incident.insight()));
            body.put("incidentState", IncidentView.of(incident).state());
            return AlertRoutes.response(StatusCodes.OK, body);
          });
        });
    return completeWithFuture(response.exceptionally(this::failure));
  }

  private CompletionStage<HttpResponse> claim(String reviewId, JsonNode body) {
    List<Problem> problems = new ArrayList<>();
    String reviewer = requiredText(body, "reviewer", MAX_REVIEWER, problems);
    if (!problems.isEmpty()) {
      return CompletableFuture.completedFuture(invalid("invalid claim", problems));
    }
    return this.<ReviewQueue.ReviewReply>ask(replyTo -> new ReviewQueue.ClaimReview(reviewId, reviewer, replyTo))
        .thenApply(this::reviewReply);
  }

  private CompletionStage<HttpResponse> decide(String reviewId, JsonNode body) {
    List<Problem> problems = new ArrayList<>();
    String reviewer = requiredText(body, "reviewer", MAX_REVIEWER, problems);
    String verdict = requiredText(body, "verdict", MAX_REVIEWER, problems);
    if (verdict != null && !Review.VERDICTS.contains(verdict)) {
      problems.add(new Problem("$.verdict", "invalid value [" + verdict + "]; expected one of "
          + String.join(", ", Review.VERDICTS)));
    }
    String notes = optionalText(body, "notes", MAX_TEXT, problems);
    List<String> labels = labels(body, problems);
    if (!problems.isEmpty()) {
      return CompletableFuture.completedFuture(invalid("invalid review verdict", problems));
    }
    return this.<ReviewQueue.ReviewReply>ask(
            replyTo -> new ReviewQueue.DecideReview(reviewId, reviewer, verdict, notes, labels, replyTo))
        .thenApply(this::reviewReply);
  }

  private Route stats() {
    CompletionStage<HttpResponse> response = this.<ReviewQueue.AgreementReport>ask(ReviewQueue.GetAgreement::new)
        .thenApply(report -> {
          Map<String, Object> byUseCase = new LinkedHashMap<>();
          long agree = 0;
          long disagree = 0;
          for (Map.Entry<String, ReviewQueue.Agreement> entry : report.byUseCase().entrySet()) {
            byUseCase.put(entry.getKey(), agreement(entry.getValue()));
            agree += entry.getValue().agree();
            disagree += entry.getValue().disagree();
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("total", agreement(new ReviewQueue.Agreement(agree, disagree)));
          body.put("byUseCase", byUseCase);
          return AlertRoutes.response(StatusCodes.OK, body);
        });
    return completeWithFuture(response.exceptionally(this::failure));
  }

  private static Map<String, Object> agreement(ReviewQueue.Agreement counts) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("agree", counts.agree());
    item.put("disagree", counts.disagree());
    double ratio = counts.ratio();
    item.put("ratio", Double.isNaN(ratio) ? null : ratio);
    return item;
  }

  /** Converts a review to its wire form: the stored review with its current status. */
  private ObjectNode view(Review review) {
    ObjectNode node = Json.mapper().valueToTree(review);
    node.put("status", review.status(clock.instant()));
    return node;
  }

  private HttpResponse reviewReply(ReviewQueue.ReviewReply reply) {
    return switch (reply.result()) {
      case OK -> AlertRoutes.response(StatusCodes.OK, view(reply.review()));
      case NOT_FOUND -> AlertRoutes.response(StatusCodes.NOT_FOUND, AlertRoutes.error(reply.message(), List.of()));
      case CONFLICT -> AlertRoutes.response(StatusCodes.CONFLICT, AlertRoutes.error(reply.message(), List.of()));
      case INVALID -> AlertRoutes.response(StatusCodes.BAD_REQUEST, AlertRoutes.error(reply.message(), List.of()));
    };
  }

  // ---- guidelines ----

  private Route listGuidelines() {
    CompletionStage<HttpResponse> response = guidelines.refresh()
        .thenApply(current -> AlertRoutes.response(StatusCodes.OK, guidelinesBody(current)));
    return completeWithFuture(response.exceptionally(this::failure));
  }

  private CompletionStage<HttpResponse> addGuideline(JsonNode body) {
    List<Problem> problems = new ArrayList<>();
    String text = requiredText(body, "text", MAX_TEXT, problems);
    String reviewId = optionalText(body, "reviewId", MAX_REVIEWER, problems);
    if (!problems.isEmpty()) {
      return CompletableFuture.completedFuture(invalid("invalid guideline", problems));
    }
    if (reviewId.isEmpty()) {
      return added(text, "manual");
    }
    return this.<ReviewQueue.ReviewReply>ask(replyTo -> new ReviewQueue.GetReview(reviewId, replyTo))
        .thenCompose(reply -> reply.result() == ReviewQueue.Result.OK
            ? added(text, reviewId)
            : CompletableFuture.completedFuture(AlertRoutes.response(StatusCodes.NOT_FOUND, AlertRoutes.error(
                reply.message() + "; leave reviewId out, or name a review that GET /api/v1/reviews lists",
                List.of(new Problem("$.reviewId", "no such review").toMap())))));
  }

  private CompletionStage<HttpResponse> added(String text, String source) {
    return guidelines.add(text, source).thenApply(current -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("version", current.version());
      body.put("guideline", current.items().get(current.items().size() - 1));
      return AlertRoutes.response(StatusCodes.CREATED, body);
    });
  }

  private static Map<String, Object> guidelinesBody(Guidelines current) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", current.version());
    body.put("guidelines", current.items());
    return body;
  }

  // ---- request bodies ----

  /** Reads a JSON object body: 415 for another content type, 413 over the size limit, 400 for invalid JSON. */
  private Route withJsonBody(Function<JsonNode, CompletionStage<HttpResponse>> handler) {
    return extractRequest(request -> {
      var contentType = request.entity().getContentType();
      if (!contentType.mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return complete(AlertRoutes.response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, AlertRoutes.error(
            "unsupported content type [" + contentType + "]; send the body as application/json", List.of())));
      }
      var length = request.entity().getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > settings.maxBodyBytes()) {
        return complete(AlertRoutes.response(StatusCodes.PAYLOAD_TOO_LARGE, tooLarge()));
      }
      CompletionStage<HttpResponse> response = request.entity()
          .toStrict(settings.bodyTimeout().toMillis(), settings.maxBodyBytes(), system)
          .thenCompose(strict -> parsed(strict.getData().utf8String(), handler))
          .exceptionally(this::failure);
      return completeWithFuture(response);
    });
  }

  private static CompletionStage<HttpResponse> parsed(String text,
      Function<JsonNode, CompletionStage<HttpResponse>> handler) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      return CompletableFuture.completedFuture(invalid("invalid JSON: " + e.getOriginalMessage(),
          List.of(new Problem("$", "line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr()))));
    }
    if (node == null || !node.isObject()) {
      return CompletableFuture.completedFuture(invalid("the body must be a JSON object",
          List.of(new Problem("$", "expected an object such as {\"reviewer\": \"alice\"}"))));
    }
    return handler.apply(node);
  }

  private static String requiredText(JsonNode body, String field, int maxLength, List<Problem> problems) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      problems.add(new Problem("$." + field, "missing; expected a non-empty string"));
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      problems.add(new Problem("$." + field, "invalid value; expected a non-empty string"));
      return null;
    }
    if (value.asText().length() > maxLength) {
      problems.add(new Problem("$." + field, "longer than " + maxLength + " characters; shorten it"));
      return null;
    }
    return value.asText().strip();
  }

  private static String optionalText(JsonNode body, String field, int maxLength, List<Problem> problems) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      problems.add(new Problem("$." + field, "invalid value; expected a string"));
      return "";
    }
    if (value.asText().length() > maxLength) {
      problems.add(new Problem("$." + field, "longer than " + maxLength + " characters; shorten it"));
      return "";
    }
    return value.asText().strip();
  }

  private static List<String> labels(JsonNode body, List<Problem> problems) {
    JsonNode value = body.get("labels");
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      problems.add(new Problem("$.labels", "invalid value; expected an array of strings"));
      return List.of();
    }
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode label = value.get(i);
      if (!label.isTextual() || label.asText().isBlank() || label.asText().length() > MAX_REVIEWER) {
        problems.add(new Problem("$.labels[" + i + "]", "invalid value; expected a non-empty string of at most "
            + MAX_REVIEWER + " characters"));
      } else {
        labels.add(label.asText().strip());
      }
    }
    return labels;
  }

  // ---- helpers ----

  private <T> CompletionStage<T> ask(Function<ActorRef<T>, ReviewQueue.Command> message) {
    return AskPattern.ask(queue, message::apply, askTimeout, system.scheduler());
  }

  private static HttpResponse invalid(String message, List<Problem> problems) {
    return AlertRoutes.response(StatusCodes.BAD_REQUEST,
        AlertRoutes.error(message, problems.stream().map(Problem::toMap).toList()));
  }

  private Map<String, Object> tooLarge() {
    return AlertRoutes.error("body larger than the limit of " + settings.maxBodyBytes() + " bytes; shorten it",
        List.of());
  }

  private HttpResponse failure(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof EntityStreamSizeException || (cause instanceof EntityStreamException streamFailure
        && streamFailure.info().summary().contains("too large"))) {
      return AlertRoutes.response(StatusCodes.PAYLOAD_TOO_LARGE, tooLarge());
    }
    if (cause instanceof TimeoutException) {
      LOG.warn("review request not answered in time: {}", cause.toString());
      return AlertRoutes.response(StatusCodes.SERVICE_UNAVAILABLE, AlertRoutes.error(
              "the review queue did not answer in time; retry after the Retry-After delay", List.of()))
          .addHeader(RawHeader.create("Retry-After", String.valueOf(settings.retryAfter().toSeconds())));
    }
    LOG.error("review request failed: {}", cause.getClass().getName(), cause);
    return AlertRoutes.response(StatusCodes.INTERNAL_SERVER_ERROR,
        AlertRoutes.error("internal error: " + cause.getMessage(), List.of()));
  }
}
