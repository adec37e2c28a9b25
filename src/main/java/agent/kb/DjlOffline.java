package agent.kb;

/**
 * Keeps the tokenizer library of the embedding model off the network. DJL, which supplies the
 * Hugging Face tokenizer, contacts the EC2 instance metadata address and a telemetry URL when a
 * tokenizer is created (ai.djl {@code Ec2Utils.callHome}, DJL 0.36.0), unless tracking is opted
 * out or DJL runs offline. Offline mode also makes it take its native library from the jar
 * instead of downloading one for a GPU.
 */
final class DjlOffline {

  static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";
  static final String OFFLINE = "ai.djl.offline";

  private DjlOffline() {}

  /**
   * Sets both system properties. NOTE: DJL reads the environment variables of the same name
   * (DJL_OFFLINE for offline mode) before these properties, so an environment that sets them
   * to false still enables the network calls.
   */
  static void apply() {
    System.setProperty(OPT_OUT_TRACKING, "true");
    System.setProperty(OFFLINE, "true");
  }
}
