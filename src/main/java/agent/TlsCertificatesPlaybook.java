package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TLS certificate expires: list the certificate files in the profile's certificate directories,
 * read the expiry date of each, and name the one that expires first. For a Let's Encrypt
 * certificate that is inside the warning window, the cause is a failed automatic renewal.
 */
final class TlsCertificatesPlaybook implements Playbook {

  /** Debian's bundle of trusted CAs: openssl reads only its first CA, which is not a certificate of this host. */
  private static final String CA_BUNDLE = "ca-certificates.crt";
  /** certbot's certificate of lineage NAME, a link into archive/NAME/. */
  private static final Pattern CERTBOT_LIVE = Pattern.compile("^/etc/letsencrypt/live/([A-Za-z0-9][A-Za-z0-9._-]*)/[^/]+$");
  /** certbot renews a certificate this many days before it expires (its renew_before_expiry default). */
  private static final int CERTBOT_RENEW_DAYS = 30;
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Planner planner;
  private final int warningDays;

  TlsCertificatesPlaybook(Planner planner, Config settings) {
    this.planner = planner;
    this.warningDays = settings.getInt("warning-days");
  }

  @Override
  public String id() {
    return PlaybookBrain.TLS_CERTIFICATES;
  }

  @Override
  public List<Brain.PlannedCommand> step(int step, Investigation investigation) {
    if (step == 1) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (JsonNode params : CertificateFilesAnalyzer.paramsPerGlob(planner.profile())) {
        commands.add(planner.plan(CertificateFilesAnalyzer.NAME, params,
            "Find the certificate files named " + params.get("name").asText()));
      }
      return commands;
    }
    if (step == 2) {
      List<Brain.PlannedCommand> commands = new ArrayList<>();
      for (String file : certificateFiles(investigation)) {
        commands.add(planner.plan(CertificateExpiryAnalyzer.NAME, Planner.params("file", file),
            "Read when " + file + " expires"));
      }
      return commands;
    }
    return List.of();
  }

  /** Returns the certificate files found in step 1, sorted, without the CA bundle, at most tls-max-certificates. */
  private List<String> certificateFiles(Investigation investigation) {
    Set<String> files = new LinkedHashSet<>();
    for (TranscriptEntry entry : investigation.usable(CertificateFilesAnalyzer.NAME)) {
      for (JsonNode file : Json.elements(entry.findings().get("files"))) {
        String path = file.get("path").asText();
        if (!path.endsWith("/" + CA_BUNDLE)) {
          files.add(path);
        }
      }
    }
    return files.stream().sorted().limit(Math.max(0, planner.profile().tlsMaxCertificates())).toList();
  }

  @Override
  public Conclusion conclude(Investigation investigation) {
    Conclusion conclusion = new Conclusion();
    for (TranscriptEntry entry : investigation.usable(CertificateFilesAnalyzer.NAME)) {
      for (JsonNode error : Json.elements(entry.findings().get("errors"))) {
        if (error.asText().contains("Permission denied")) {
          conclusion.remediation.add("find could not read every certificate directory (" + error.asText() + "): give "
              + "the diagnostic user read access to it, for example with an ACL, or its certificates are not checked.");
        }
      }
    }

    List<TranscriptEntry> dated = new ArrayList<>();
    for (TranscriptEntry entry : investigation.usable(CertificateExpiryAnalyzer.NAME)) {
      JsonNode findings = entry.findings();
      if (findings.hasNonNull("notAfter")) {
        dated.add(entry);
      } else {
        String error = Investigation.text(findings, "error");
        conclusion.remediation.add("Could not read the expiry of " + Investigation.paramOf(entry, "file") + ": "
            + (error == null ? "openssl printed no notAfter line" : error) + ".");
      }
    }
    if (dated.isEmpty()) {
      String dirs = String.join(", ", planner.profile().tlsCertDirs());
      conclusion.summary = "No certificate file with a readable expiry date was found in " + dirs + ".";
      conclusion.rootCause = "Unknown: no certificate of this host could be read.";
      conclusion.remediation.add("Add the directory of the certificate that the monitoring checks to the stack "
          + "profile's tls-cert-dirs (and the command policy's path-prefixes), or check whether a load balancer or "
          + "CDN serves it.");
      return conclusion;
    }
    dated.sort(Comparator.comparing((TranscriptEntry e) -> Instant.parse(e.findings().get("notAfter").asText()))
        .thenComparing(e -> Investigation.paramOf(e, "file")));

    List<String> expiring = new ArrayList<>();
    for (TranscriptEntry entry : dated) {
      String claim = describe(entry);
      conclusion.evidence(Investigation.evidence(claim, entry, "notAfter=", claim));
      if (entry.findings().get("daysLeft").asLong() <= warningDays) {
        expiring.add(claim);
      }
    }
    TranscriptEntry first = dated.get(0);
    long daysLeft = first.findings().get("daysLeft").asLong();
    String file = Investigation.paramOf(first, "file");
    if (daysLeft > warningDays) {
      conclusion.summary = "No certificate expires within " + warningDays + " days: the first to expire is "
          + describe(first) + ".";
      conclusion.rootCause = "Not found on this host: its " + dated.size() + " certificates are valid for at least "
          + daysLeft + " more days. The expiring certificate may be served by another host, a load balancer or a CDN.";
      return conclusion;
    }

    int valid = dated.size() - expiring.size();
    conclusion.summary = String.join(". ", expiring) + "."
        + (valid > 0 ? " The other " + valid + (valid == 1 ? " certificate is" : " certificates are")
            + " valid for more than " + warningDays + " days." : "");
    Matcher certbot = CERTBOT_LIVE.matcher(file);
    if (certbot.matches()) {
      String lineage = certbot.group(1);
      conclusion.rootCause = describe(first) + ". certbot renews " + CERTBOT_RENEW_DAYS + " days before expiry, so "
          + "the automatic renewal of " + lineage + " has been failing"
          + (daysLeft < CERTBOT_RENEW_DAYS ? " for " + (CERTBOT_RENEW_DAYS - daysLeft) + " days" : "") + ".";
      conclusion.fix("Try the renewal of " + lineage + " without saving anything, to see why it fails",
          "certbot renew --cert-name " + Shell.quote(lineage) + " --dry-run", "low");
      conclusion.fix("Renew the certificate of " + lineage + " once the dry run passes",
          "certbot renew --cert-name " + Shell.quote(lineage), "low");
      conclusion.remediation.add("Find out why the automatic renewal fails: systemctl list-timers certbot.timer, "
          + "journalctl -u certbot.service and /var/log/letsencrypt/letsencrypt.log. Often the HTTP-01 challenge is "
          + "redirected or denied for /.well-known/acme-challenge/, or port 80 is closed.");
      conclusion.remediation.add("Reload the web server after the renewal (nginx -t && systemctl reload nginx, or "
          + "apache2ctl -t && systemctl reload apache2) unless the renewal configuration has a deploy hook that does.");
    } else {
      conclusion.rootCause = describe(first) + " and has not been replaced by a renewed certificate.";
      conclusion.remediation.add("Renew " + file + " with its issuer, install the new certificate with its chain, "
          + "test the web server configuration and reload it.");
    }
    return conclusion;
  }

  /** Returns "The certificate for CN (FILE) expires on DATE, in N days" or "... expired on DATE, N days ago". */
  private static String describe(TranscriptEntry entry) {
    JsonNode findings = entry.findings();
    String file = Investigation.paramOf(entry, "file");
    String name = Investigation.text(findings, "commonName");
    String when = DATE.format(Instant.parse(findings.get("notAfter").asText()));
    long days = findings.get("daysLeft").asLong();
    String subject = name == null ? "The certificate " + file : "The certificate for " + name + " (" + file + ")";
    if (findings.path("expired").asBoolean()) {
      long ago = Math.max(0, -days - 1);
      return subject + " expired on " + when + ", " + (ago == 0 ? "less than a day" : ago + (ago == 1 ? " day" : " days"))
          + " ago";
    }
    return subject + " expires on " + when + ", in " + (days == 0 ? "less than a day" : days + (days == 1 ? " day" : " days"));
  }
}
