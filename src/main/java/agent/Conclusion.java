package agent;

import java.util.ArrayList;
import java.util.List;

/** A playbook's findings for the insight, before the brain adds the status, the notes on failed commands and links. */
final class Conclusion {

  String summary = "";
  String rootCause = "";
  final List<String> remediation = new ArrayList<>();
  final List<Insight.Fix> fixes = new ArrayList<>();
  final List<Insight.Evidence> evidence = new ArrayList<>();

  void fix(String description, String command, String risk) {
    fixes.add(new Insight.Fix(description, command, risk));
  }

  void evidence(Insight.Evidence item) {
    evidence.add(item);
  }
}
