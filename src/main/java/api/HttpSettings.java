package api;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the HTTP edge, from {@code fleet-sre.http}.
 *
 * @param interfaceName address to bind
 * @param port port to bind; 0 picks a free one
 * @param maxBodyBytes largest accepted request body; larger ones get 413
 * @param bodyTimeout how long reading a request body may take
 * @param bearerToken token required on /api routes; empty disables authentication
 * @param askTimeout how long a request waits for an incident to confirm an alert
 * @param retryAfter the Retry-After value sent with 503
 * @param hostLabels labels that name the host of an Alertmanager alert, tried in order
 */
public record HttpSettings(
    String interfaceName,
    int port,
    long maxBodyBytes,
    Duration bodyTimeout,
    String bearerToken,
    Duration askTimeout,
    Duration retryAfter,
    List<String> hostLabels) {

  public static HttpSettings fromConfig(Config http, Config ingest) {
    return new HttpSettings(
        http.getString("interface"),
        http.getInt("port"),
        http.getBytes("max-body"),
        http.getDuration("body-timeout"),
        http.getString("bearer-token"),
        http.getDuration("ask-timeout"),
        http.getDuration("retry-after"),
        ingest.getStringList("host-labels"));
  }

  public HttpSettings withPort(int newPort) {
    return new HttpSettings(interfaceName, newPort, maxBodyBytes, bodyTimeout, bearerToken, askTimeout, retryAfter, hostLabels);
  }

  /** Keeps the token out of logs and toString output. */
  @Override
  public String toString() {
    return "HttpSettings[interface=" + interfaceName + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes
        + ", authentication=" + (bearerToken.isEmpty() ? "off" : "bearer") + "]";
  }
}
