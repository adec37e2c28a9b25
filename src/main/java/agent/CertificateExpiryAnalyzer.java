package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expiry date and subject of one certificate file: {@code openssl x509 -noout -enddate -subject -in FILE}.
 * Reads OpenSSL 1.1 and 3.x output ({@code notAfter=Dec  9 07:41:12 2026 GMT},
 * {@code subject=CN = shop.example.com}) and the older {@code subject= /CN=...} form.
 */
public final class CertificateExpiryAnalyzer implements ArgvAwareAnalyzer {

  public static final String NAME = "certificate-expiry";

  private static final List<String> MONTHS =
      List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");
  private static final Pattern NOT_AFTER =
      Pattern.compile("^notAfter=([A-Z][a-z]{2})\\s+(\\d{1,2})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(\\d{4})\\s+GMT$");
  private static final Pattern SUBJECT = Pattern.compile("^subject=\\s*(.*)$");
  private static final Pattern COMMON_NAME = Pattern.compile("\\bCN\\s*=\\s*([^,/]+)");
  private static final long SECONDS_PER_DAY = 86_400;

  private final Clock clock;

  public CertificateExpiryAnalyzer(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Reads the expiry date and subject of one TLS certificate file (openssl x509 -noout -enddate -subject).";
  }

  /** Renders {@code openssl x509 -noout -enddate -subject -in FILE} for param {@code file}. */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    String file = Argv.absolutePath("file", Json.text(params, "file"));
    return List.of("openssl", "x509", "-noout", "-enddate", "-subject", "-in", file);
  }

  @Override
  public JsonNode parse(CommandOutput output) {
    return parse(null, output);
  }

  /**
   * Returns {@code {file, subject, commonName, notAfter, daysLeft, expired, error}}. {@code
   * daysLeft} counts whole days from now to the expiry, rounded down, so it is negative once the
   * certificate has expired. {@code error} is the first stderr line when openssl failed, else null.
   */
  @Override
  public JsonNode parse(List<String> argv, CommandOutput output) {
    ObjectNode findings = Outputs.findings(output);
    findings.put("file", argv == null || argv.isEmpty() ? null : argv.get(argv.size() - 1));

    String subject = null;
    Instant notAfter = null;
    for (String line : Outputs.lines(output.stdout())) {
      String text = line.strip();
      Matcher date = NOT_AFTER.matcher(text);
      if (date.matches()) {
        notAfter = instant(date);
      }
      Matcher subjectLine = SUBJECT.matcher(text);
      if (subjectLine.matches()) {
        subject = subjectLine.group(1).strip();
      }
    }
    findings.put("subject", subject);

    String commonName = null;
    if (subject != null) {
      Matcher cn = COMMON_NAME.matcher(subject);
      commonName = cn.find() ? cn.group(1).strip() : null;
    }
    findings.put("commonName", commonName);

    if (notAfter == null) {
      findings.putNull("notAfter");
      findings.putNull("daysLeft");
      findings.putNull("expired");
    } else {
      long secondsLeft = Duration.between(clock.instant(), notAfter).getSeconds();
      findings.put("notAfter", notAfter.toString());
      findings.put("daysLeft", Math.floorDiv(secondsLeft, SECONDS_PER_DAY));
      findings.put("expired", secondsLeft <= 0);
    }

    boolean failed = output.outcome() != CommandOutput.Outcome.EXITED || output.exitCode() != 0;
    List<String> errors = Outputs.errorLines(output);
    String error = null;
    if (failed) {
      error = errors.isEmpty() ? "exit code " + output.exitCode() : errors.get(0);
    }
    findings.put("error", error);
    return findings;
  }

  private static Instant instant(Matcher date) {
    int month = MONTHS.indexOf(date.group(1)) + 1;
    if (month == 0) {
      return null;
    }
    LocalDateTime time = LocalDateTime.of(Integer.parseInt(date.group(6)), month, Integer.parseInt(date.group(2)),
        Integer.parseInt(date.group(3)), Integer.parseInt(date.group(4)), Integer.parseInt(date.group(5)));
    return time.toInstant(ZoneOffset.UTC);
  }
}
