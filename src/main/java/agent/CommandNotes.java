package agent;

import java.util.List;

/** Notes in an insight on the commands that did not produce findings: rejected, timed out or unreachable. */
final class CommandNotes {

  private CommandNotes() {}

  /** Adds a remediation line and an evidence item for every command that was rejected or did not run to an exit. */
  static void add(Conclusion conclusion, List<TranscriptEntry> transcript) {
    for (TranscriptEntry entry : transcript) {
      if (entry.ranToExit() || entry.status().equals(TranscriptEntry.PENDING)) {
        continue;
      }
      String command = Shell.join(entry.argv());
      String detail = entry.detail() == null || entry.detail().isBlank() ? "" : ": " + entry.detail();
      String claim;
      if (entry.status().equals(TranscriptEntry.REJECTED)) {
        claim = "Not run, rejected by the command policy: " + command + detail;
      } else {
        claim = "Did not complete (" + entry.status() + "): " + command + detail;
      }
      conclusion.remediation.add(claim);
      conclusion.evidence.add(new Insight.Evidence(claim, entry.commandId(), Investigation.cap(entry.detail())));
    }
  }

  /** Returns what an operator should check first when the host could not be reached, by the runner's status. */
  static String adviceFor(List<TranscriptEntry> transcript) {
    for (TranscriptEntry entry : transcript) {
      switch (entry.status()) {
        case "unreachable":
          return "Check that the host is up and reachable over SSH from fleet-sre.";
        case "auth_failed":
          return "Check that the diagnostic user exists on the host and accepts the configured key.";
        case "host_key_rejected":
          return "Verify the host's SSH key and update the known_hosts file that fleet-sre uses.";
        case "not_in_inventory":
          return "Add the host to fleet-sre.inventory, or configure a default entry.";
        case TranscriptEntry.REJECTED:
          return "Review the command policy: it rejected the diagnostic commands of this playbook.";
        default:
          break;
      }
    }
    return "Rerun the investigation once the host can be reached.";
  }
}
