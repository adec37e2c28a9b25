package agent;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The ordered rules that pick a playbook for an alert; the first rule that matches wins. */
public final class PlaybookRules {

  /**
   * One rule: every condition that is set must match (a regex search in the value).
   *
   * @param playbook the playbook id
   * @param alertname condition on the alert kind, or null
   * @param summary condition on the alert summary, or null
   * @param labels label name to condition on its value; a missing label does not match
   */
  public record Rule(String playbook, Pattern alertname, Pattern summary, Map<String, Pattern> labels) {

    public Rule {
      labels = Map.copyOf(labels);
      if (alertname == null && summary == null && labels.isEmpty()) {
        throw new IllegalArgumentException("playbook rule for [" + playbook + "] has no condition: "
            + "set alertname, summary or labels");
      }
    }

    public boolean matches(Alert alert) {
      if (alertname != null && !alertname.matcher(alert.kind()).find()) {
        return false;
      }
      if (summary != null && !summary.matcher(alert.summary()).find()) {
        return false;
      }
      for (Map.Entry<String, Pattern> label : labels.entrySet()) {
        String value = alert.labels().get(label.getKey());
        if (value == null || !label.getValue().matcher(value).find()) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Rule> rules;
  private final String defaultPlaybook;

  public PlaybookRules(List<Rule> rules, String defaultPlaybook) {
    this.rules = List.copyOf(rules);
    this.defaultPlaybook = defaultPlaybook;
  }

  /** Reads {@code rules} and {@code default-playbook} of a {@code fleet-sre.playbooks} block. */
  public static PlaybookRules fromConfig(Config playbooks) {
    List<Rule> rules = new ArrayList<>();
    for (Config rule : playbooks.getConfigList("rules")) {
      Map<String, Pattern> labels = new LinkedHashMap<>();
      if (rule.hasPath("labels")) {
        Config labelConfig = rule.getConfig("labels");
        for (String name : labelConfig.root().keySet()) {
          labels.put(name, Pattern.compile(labelConfig.getString("\"" + name + "\"")));
        }
      }
      rules.add(new Rule(
          rule.getString("playbook"),
          rule.hasPath("alertname") ? Pattern.compile(rule.getString("alertname")) : null,
          rule.hasPath("summary") ? Pattern.compile(rule.getString("summary")) : null,
          labels));
    }
    return new PlaybookRules(rules, playbooks.getString("default-playbook"));
  }

  /** Returns the playbook id of the first matching rule, or the default playbook. */
  public String select(Alert alert) {
    for (Rule rule : rules) {
      if (rule.matches(alert)) {
        return rule.playbook();
      }
    }
    return defaultPlaybook;
  }

  public List<Rule> rules() {
    return rules;
  }
}
