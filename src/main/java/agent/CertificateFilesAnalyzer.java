package agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fleet.CommandOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS certificate files in the certificate directories:
 * {@code find DIR... -maxdepth 2 -xtype f -name GLOB -printf %s\t%T@\t%p\n}. {@code -xtype f}
 * also lists symbolic links to regular files, because certbot's {@code live/DOMAIN/cert.pem} is a
 * link into {@code archive/}. One command covers one glob of the profile's {@code tls-cert-names}.
 *
 * <p>NOTE: certbot creates {@code live/} and {@code archive/} with mode 0700, so the diagnostic
 * user needs read access to them (an ACL, for example); otherwise find reports Permission denied.
 */
public final class CertificateFilesAnalyzer implements Analyzer {

  public static final String NAME = "certificate-files";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Lists the TLS certificate files in the configured certificate directories, following symbolic links.";
  }

  /**
   * Renders the find command. Params: {@code dirs} (default the profile's certificate directories)
   * and {@code name}, one glob (default the profile's first certificate name glob).
   */
  @Override
  public List<String> render(JsonNode params, StackProfile profile) {
    List<String> dirs = Json.texts(params, "dirs");
    if (dirs.isEmpty()) {
      dirs = profile.tlsCertDirs();
    }
    String glob = Json.text(params, "name");
    if (glob == null) {
      if (profile.tlsCertNames().isEmpty()) {
        throw new IllegalArgumentException("stack profile tls-cert-names is empty: expected at least one glob");
      }
      glob = profile.tlsCertNames().get(0);
    }
    List<String> argv = new ArrayList<>(List.of("find"));
    argv.addAll(Argv.absolutePaths("dirs", dirs));
    argv.addAll(List.of("-maxdepth", "2", "-xtype", "f", "-name", Argv.nameGlob("name", glob),
        "-printf", AccessLogFilesAnalyzer.PRINTF_FORMAT));
    return argv;
  }

  /** Returns the parameters of one command per certificate name glob of the profile. */
  public static List<JsonNode> paramsPerGlob(StackProfile profile) {
    List<JsonNode> result = new ArrayList<>();
    for (String glob : profile.tlsCertNames()) {
      ObjectNode one = Json.object();
      one.set("dirs", Json.arrayOf(profile.tlsCertDirs()));
      one.put("name", glob);
      result.add(one);
    }
    return result;
  }

  /**
   * Returns {@code {files:[{path, bytes, modified}], errors}}, newest first. For a symbolic link the
   * size and time are the link's own. find exits 1 for a missing or unreadable directory.
   */
  @Override
  public JsonNode parse(CommandOutput output) {
    return AccessLogFilesAnalyzer.parseFileListing(output);
  }
}
