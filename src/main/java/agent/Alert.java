package agent;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One alert about one host, normalised from any source (native JSON, Alertmanager webhook).
 *
 * @param host inventory name of the host the alert is about
 * @param kind alert kind, the Alertmanager {@code alertname}; with the host it forms the dedup key
 * @param severity severity label as given (critical, warning, ...), or empty
 * @param summary one-line summary from the annotations, or empty
 * @param labels all labels as received
 * @param annotations all annotations as received
 * @param startsAt when the condition began; with the fingerprint it identifies a repeat delivery
 * @param fingerprint source-provided identity of the alert, or a hash of its labels when none is given
 * @param source where the alert came from: {@code api}, {@code alertmanager}, {@code cli}
 */
public record Alert(
    String host,
    String kind,
    String severity,
    String summary,
    Map<String, String> labels,
    Map<String, String> annotations,
    Instant startsAt,
    String fingerprint,
    String source) {

  public Alert {
    Objects.requireNonNull(host, "host must not be null");
    Objects.requireNonNull(kind, "kind must not be null");
    severity = severity == null ? "" : severity;
    summary = summary == null ? "" : summary;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    fingerprint = fingerprint == null ? "" : fingerprint;
    source = source == null ? "" : source;
  }

  /** The key under which repeated alerts attach to one open incident. */
  public String dedupKey() {
    return host + "/" + kind;
  }

  /** Identity of one delivery chain: Alertmanager re-sends the same fingerprint and startsAt while the alert fires. */
  public String deliveryKey() {
    return fingerprint + "@" + startsAt;
  }
}
