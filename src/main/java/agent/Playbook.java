package agent;

import java.util.List;

/** One investigation plan: steps of commands, then a conclusion from their findings. */
interface Playbook {

  String id();

  /**
   * Returns the commands of step {@code step} (from 1), derived from the findings of the earlier
   * steps, or an empty list when the playbook has nothing more to run.
   */
  List<Brain.PlannedCommand> step(int step, Investigation investigation);

  /** Draws the conclusion from whatever findings there are; missing ones are allowed. */
  Conclusion conclude(Investigation investigation);
}
