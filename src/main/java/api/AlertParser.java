package api;

import agent.Alert;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Validates and normalises the two alert formats: the native alert JSON and the Alertmanager
 * webhook payload (version 4). Every problem is reported with the JSON path of the field and
 * what is expected there, so a sender can fix its payload from the 400 body alone.
 */
public final class AlertParser {

  /** A hostname, an IPv4 address or an IPv6 address without brackets. Nothing a shell would interpret. */
  private static final Pattern HOST = Pattern.compile("^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|(?=[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45})$");

  private static final Pattern KIND = Pattern.compile("^[A-Za-z0-9_.:-]{1,128}$");

  private static final Pattern PORT_SUFFIX = Pattern.compile(":[0-9]{1,5}$");

  private final List<String> hostLabels;

  /** @param hostLabels labels that name the host, tried in order, e.g. {@code instance, host, hostname, nodename} */
  public AlertParser(List<String> hostLabels) {
    this.hostLabels = List.copyOf(hostLabels);
  }

  /** One alert as parsed, with whether it fires or has resolved. */
  public record ParsedAlert(Alert alert, boolean resolved) {}

  /** One problem with the input. */
  public record Problem(String field, String problem) {}

  /** Thrown when the input is invalid; carries every problem found. */
  public static final class InvalidAlertException extends Exception {
    private final List<Problem> problems;

    public InvalidAlertException(List<Problem> problems) {
      super(problems.isEmpty() ? "invalid alert" : problems.get(0).field() + ": " + problems.get(0).problem());
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }

  /** Parses either format: an object with an {@code alerts} array is an Alertmanager payload, anything else native. */
  public List<ParsedAlert> parseAny(JsonNode body, Instant now) throws InvalidAlertException {
    if (body.isObject() && body.has("alerts")) {
      return parseAlertmanager(body, now);
    }
    return parseNative(body, now);
  }

  /**
   * Parses the native format: one alert object, or an array of them. Fields: {@code host} and
   * {@code kind} (required), {@code severity}, {@code summary}, {@code labels}, {@code annotations},
   * {@code startsAt} (ISO-8601, default: now), {@code fingerprint}, {@code status} ({@code firing}
   * by default, or {@code resolved}).
   */
  public List<ParsedAlert> parseNative(JsonNode body, Instant now) throws InvalidAlertException {
    List<Problem> problems = new ArrayList<>();
    List<ParsedAlert> alerts = new ArrayList<>();
    if (body.isObject() && body.has("alerts") && body.has("version")) {
      throw new InvalidAlertException(List.of(new Problem("$", "this is an Alertmanager webhook payload; "
          + "post it to /api/v1/alerts/alertmanager")));
    }
    if (body.isArray()) {
      if (body.isEmpty()) {
        problems.add(new Problem("$", "the array is empty; send at least one alert object"));
      }
      for (int i = 0; i < body.size(); i++) {
        parseNativeAlert(body.get(i), "$[" + i + "]", now, problems, alerts);
      }
    } else {
      parseNativeAlert(body, "$", now, problems, alerts);
    }
    if (!problems.isEmpty()) {
      throw new InvalidAlertException(problems);
    }
    return alerts;
  }

  private void parseNativeAlert(JsonNode node, String path, Instant now, List<Problem> problems, List<ParsedAlert> out) {
    if (!node.isObject()) {
      problems.add(new Problem(path, "expected an alert object"));
      return;
    }
    int before = problems.size();
    String host = requiredString(node, "host", path, problems);
    if (host != null && !HOST.matcher(host).matches()) {
      problems.add(new Problem(path + ".host", "invalid host [" + host + "]; expected a hostname or IP address"));
    }
    String kind = requiredString(node, "kind", path, problems);
    if (kind != null && !KIND.matcher(kind).matches()) {
      problems.add(new Problem(path + ".kind", "invalid kind [" + kind + "]; expected 1 to 128 characters of A-Z a-z 0-9 _ . : -"));
    }
    Map<String, String> labels = stringMap(node, "labels", path, problems);
    Map<String, String> annotations = stringMap(node, "annotations", path, problems);
    Instant startsAt = optionalInstant(node, "startsAt", path, problems, now);
    boolean resolved = status(node, path, problems);
    String severity = optionalString(node, "severity", path, problems);
    String summary = optionalString(node, "summary", path, problems);
    String fingerprint = optionalString(node, "fingerprint", path, problems);
    if (problems.size() > before) {
      return;
    }

    if (fingerprint.isEmpty()) {
      fingerprint = fingerprintOf(host, kind, labels);
    }
    if (summary.isEmpty()) {
      summary = annotations.getOrDefault("summary", "");
    }
    Alert alert = new Alert(host, kind, severity, summary, labels, annotations, startsAt, fingerprint, "api");
    out.add(new ParsedAlert(alert, resolved));
  }

  /**
   * Parses an Alertmanager webhook payload (version 4). Every alert becomes an alert here, firing
   * or resolved; the kind is the {@code alertname} label and the host comes from the first of the
   * configured host labels that is set ({@code instance} with its port stripped).
   */
  public List<ParsedAlert> parseAlertmanager(JsonNode body, Instant now) throws InvalidAlertException {
    Batch batch = parseAlertmanagerBatch(body, now);
    if (!batch.skipped().isEmpty()) {
      throw new InvalidAlertException(batch.skipped());
    }
    return batch.alerts();
  }

  /**
   * Valid alerts of a payload, and the problems of the alerts left out.
   *
   * @param alerts the valid alerts, in payload order
   * @param skipped the problems of each invalid alert, by field
   */
  public record Batch(List<ParsedAlert> alerts, List<Problem> skipped) {}

  /**
   * Parses an Alertmanager webhook payload like {@link #parseAlertmanager}, but leaves out an
   * invalid alert instead of rejecting the payload: Alertmanager does not resend a payload that
   * got a 4xx answer, so one alert without a host label would lose the valid ones beside it.
   *
   * @throws InvalidAlertException when the payload itself is invalid or none of its alerts is valid
   */
  public Batch parseAlertmanagerBatch(JsonNode body, Instant now) throws InvalidAlertException {
    List<Problem> problems = new ArrayList<>();
    if (!body.isObject()) {
      throw new InvalidAlertException(List.of(new Problem("$", "expected an Alertmanager webhook object")));
    }
    JsonNode version = body.get("version");
    if (version == null || !version.asText().equals("4")) {
      problems.add(new Problem("$.version", "expected \"4\" (the Alertmanager webhook payload version), got "
          + (version == null ? "nothing" : version.toString())));
    }
    JsonNode alertsNode = body.get("alerts");
    if (alertsNode == null || !alertsNode.isArray() || alertsNode.isEmpty()) {
      problems.add(new Problem("$.alerts", "expected a non-empty array of alerts"));
      throw new InvalidAlertException(problems);
    }
    Map<String, String> commonAnnotations = stringMap(body, "commonAnnotations", "$", problems);

    List<ParsedAlert> alerts = new ArrayList<>();
    List<Problem> skipped = new ArrayList<>();
    for (int i = 0; i < alertsNode.size(); i++) {
      parseAlertmanagerAlert(alertsNode.get(i), "$.alerts[" + i + "]", commonAnnotations, now, skipped, alerts);
    }
    // A problem of the payload itself rejects it whole, listed with the problems of its alerts.
    if (!problems.isEmpty() || alerts.isEmpty()) {
      problems.addAll(skipped);
      throw new InvalidAlertException(problems);
    }
    return new Batch(List.copyOf(alerts), List.copyOf(skipped));
  }

  private void parseAlertmanagerAlert(JsonNode node, String path, Map<String, String> commonAnnotations, Instant now,
      List<Problem> problems, List<ParsedAlert> out) {
    if (!node.isObject()) {
      problems.add(new Problem(path, "expected an alert object"));
      return;
    }
    int before = problems.size();
    Map<String, String> labels = stringMap(node, "labels", path, problems);
    Map<String, String> annotations = new LinkedHashMap<>(commonAnnotations);
    annotations.putAll(stringMap(node, "annotations", path, problems));
    boolean resolved = status(node, path, problems);
    Instant startsAt = optionalInstant(node, "startsAt", path, problems, now);
    String fingerprint = optionalString(node, "fingerprint", path, problems);

    String kind = labels.getOrDefault("alertname", "");
    if (kind.isEmpty()) {
      problems.add(new Problem(path + ".labels.alertname", "missing; expected the alert name"));
    } else if (!KIND.matcher(kind).matches()) {
      problems.add(new Problem(path + ".labels.alertname", "invalid alert name [" + kind
          + "]; expected 1 to 128 characters of A-Z a-z 0-9 _ . : -"));
    }
    String host = hostFromLabels(labels);
    if (host.isEmpty()) {
      problems.add(new Problem(path + ".labels", "no host label; expected one of " + hostLabels));
    } else if (!HOST.matcher(host).matches()) {
      problems.add(new Problem(path + ".labels." + hostLabel(labels), "invalid host [" + host
          + "]; expected a hostname or IP address"));
    }
    if (problems.size() > before) {
      return;
    }

    if (fingerprint.isEmpty()) {
      fingerprint = fingerprintOf(host, kind, labels);
    }
    Alert alert = new Alert(host, kind, labels.getOrDefault("severity", ""), annotations.getOrDefault("summary", ""),
        labels, annotations, startsAt, fingerprint, "alertmanager");
    out.add(new ParsedAlert(alert, resolved));
  }

  /** The host named by the first configured label that is set; {@code instance} loses its port. */
  String hostFromLabels(Map<String, String> labels) {
    for (String label : hostLabels) {
      String value = labels.get(label);
      if (value == null || value.isBlank()) {
        continue;
      }
      value = value.trim();
      if (value.startsWith("[") && value.contains("]")) {
        return value.substring(1, value.indexOf(']'));
      }
      if (value.chars().filter(c -> c == ':').count() == 1) {
        value = PORT_SUFFIX.matcher(value).replaceAll("");
      }
      return value;
    }
    return "";
  }

  /** Returns the name of the first configured host label that is set. */
  private String hostLabel(Map<String, String> labels) {
    return hostLabels.stream().filter(l -> labels.get(l) != null && !labels.get(l).isBlank()).findFirst().orElse("");
  }

  // ---- field helpers ----

  private static String requiredString(JsonNode node, String field, String path, List<Problem> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      problems.add(new Problem(path + "." + field, "missing; expected a non-empty string"));
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      problems.add(new Problem(path + "." + field, "expected a non-empty string, got " + value));
      return null;
    }
    return value.asText().trim();
  }

  private static String optionalString(JsonNode node, String field, String path, List<Problem> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      problems.add(new Problem(path + "." + field, "expected a string, got " + value));
      return "";
    }
    return value.asText();
  }

  private static Map<String, String> stringMap(JsonNode node, String field, String path, List<Problem> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Map.of();
    }
    if (!value.isObject()) {
      problems.add(new Problem(path + "." + field, "expected an object of string values"));
      return Map.of();
    }
    Map<String, String> map = new LinkedHashMap<>();
    var fields = value.fields();
    while (fields.hasNext()) {
      var entry = fields.next();
      if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
        problems.add(new Problem(path + "." + field + "." + entry.getKey(), "expected a string value"));
        continue;
      }
      map.put(entry.getKey(), entry.getValue().asText());
    }
    return map;
  }

  private static Instant optionalInstant(JsonNode node, String field, String path, List<Problem> problems, Instant now) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isEmpty()) {
      return now;
    }
    try {
      return java.time.OffsetDateTime.parse(value.asText()).toInstant();
    } catch (DateTimeParseException e) {
      problems.add(new Problem(path + "." + field, "invalid timestamp [" + value.asText()
          + "]; expected RFC 3339, e.g. 2026-12-04T10:15:30Z"));
      return now;
    }
  }

  private static boolean status(JsonNode node, String path, List<Problem> problems) {
    JsonNode value = node.get("status");
    if (value == null || value.isNull()) {
      return false;
    }
    String status = value.asText();
    if (status.equals("firing")) {
      return false;
    }
    if (status.equals("resolved")) {
      return true;
    }
    problems.add(new Problem(path + ".status", "invalid status [" + status + "]; expected firing or resolved"));
    return false;
  }

  /** A stable identity for an alert that came without a fingerprint: a hash of host, kind and labels. */
  static String fingerprintOf(String host, String kind, Map<String, String> labels) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((host + "\n" + kind + "\n" + new TreeMap<>(labels)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
