package agent;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client under the LangChain4j chat models. It retries a call that got 429, a 5xx or no
 * connection, with exponential backoff and full jitter, and waits what a Retry-After header asks
 * for (capped). LangChain4j's own retries are turned off, because they cannot read Retry-After.
 */
final class RetryingHttpClient implements HttpClient {

  private static final Logger LOG = LoggerFactory.getLogger(RetryingHttpClient.class);

  private static final Set<Integer> RETRIED = Set.of(429, 500, 502, 503, 504);

  /** Headers the JDK client sets itself and rejects when a caller sets them. */
  private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

  private final java.net.http.HttpClient client;
  private final Duration readTimeout;
  private final int maxRetries;
  private final Duration baseDelay;
  private final Duration maxDelay;

  RetryingHttpClient(Duration connectTimeout, Duration readTimeout, int maxRetries, Duration baseDelay, Duration maxDelay) {
    this.client = java.net.http.HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .build();
    this.readTimeout = readTimeout;
    this.maxRetries = maxRetries;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    java.net.http.HttpRequest jdkRequest = toJdk(request);
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = client.send(jdkRequest, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (attempt >= maxRetries) {
          throw new ModelUnavailableException("no answer from " + endpoint(request) + " after " + (attempt + 1)
              + " attempts: " + describe(e), e);
        }
        pause(attempt, Optional.empty(), "connection failed: " + describe(e), request);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelUnavailableException("interrupted while calling " + endpoint(request), e);
      }

      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return SuccessfulHttpResponse.builder()
            .statusCode(status)
            .headers(response.headers().map())
            .body(response.body())
            .build();
      }
      if (!RETRIED.contains(status) || attempt >= maxRetries) {
        throw new HttpException(status, response.body());
      }
      pause(attempt, response.headers().firstValue("Retry-After"), "HTTP " + status, request);
    }
  }

  @Override
  public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    throw new UnsupportedOperationException("fleet-sre does not stream model answers");
  }

  private void pause(int attempt, Optional<String> retryAfter, String reason, HttpRequest request) {
    Duration delay = retryAfter.flatMap(RetryingHttpClient::parseRetryAfter)
        .map(asked -> asked.compareTo(maxDelay) > 0 ? maxDelay : asked)
        .orElseGet(() -> backoff(attempt));
    LOG.warn("model call to [{}] failed ({}), retry {} of {} in [{}]",
        endpoint(request), reason, attempt + 1, maxRetries, delay);
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException("interrupted while waiting to retry " + endpoint(request), e);
    }
  }

  /** Full jitter: a random delay between zero and the exponential bound, capped. */
  Duration backoff(int attempt) {
    long bound = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt, 20));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(bound + 1));
  }

  /** Parses Retry-After as delta seconds or as an HTTP date. */
  static Optional<Duration> parseRetryAfter(String value) {
    String trimmed = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }

  private java.net.http.HttpRequest toJdk(HttpRequest request) {
    java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
        .timeout(readTimeout);
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (RESTRICTED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    String body = request.body();
    java.net.http.HttpRequest.BodyPublisher publisher = body == null
        ? java.net.http.HttpRequest.BodyPublishers.noBody()
        : java.net.http.HttpRequest.BodyPublishers.ofString(body);
    return builder.method(request.method().name(), publisher).build();
  }

  /** Names a connection failure in plain words: refused, timed out, or the JDK's message. */
  private static String describe(IOException e) {
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "timed out";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String endpoint(HttpRequest request) {
    URI uri = URI.create(request.url());
    return uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
  }

  /** Builds the client for a LangChain4j chat model; the model's own timeouts become the client's. */
  static final class Builder implements HttpClientBuilder {
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private final ModelSettings settings;

    Builder(ModelSettings settings) {
      this.settings = settings;
      this.readTimeout = settings.turnTimeout();
    }

    @Override
    public Duration connectTimeout() {
      return connectTimeout;
    }

    @Override
    public HttpClientBuilder connectTimeout(Duration timeout) {
      if (timeout != null) {
        this.connectTimeout = timeout;
      }
      return this;
    }

    @Override
    public Duration readTimeout() {
      return readTimeout;
    }

    @Override
    public HttpClientBuilder readTimeout(Duration timeout) {
      if (timeout != null) {
        this.readTimeout = timeout;
      }
      return this;
    }

    @Override
    public HttpClient build() {
      return new RetryingHttpClient(connectTimeout, readTimeout, settings.maxRetries(), settings.retryBaseDelay(),
          settings.retryMaxDelay());
    }
  }
}
