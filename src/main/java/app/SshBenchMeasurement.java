package app;

/**
 * One timed pass of the SSH benchmark: one side (fleet-sre or ansible) ran {@code commands}
 * commands, {@code commandsPerHost} on each host, in {@code seconds} of wall-clock time.
 *
 * @param side {@code fleet-sre} or {@code ansible}
 * @param mode {@code cold} (no connection open at the start, so connection setup is included) or
 *     {@code steady} (connections opened by an earlier pass and reused)
 * @param round the round this pass belongs to, from 1; 0 for the warm-up
 * @param commands commands run
 * @param failed commands that did not exit with status 0, or hosts that reported no result
 * @param seconds wall-clock time of the pass
 * @param firstError the first failure's message, or empty
 */
record SshBenchMeasurement(String side, String mode, int round, long commands, long failed, double seconds,
    String firstError) {

  double commandsPerSecond() {
    return seconds > 0 ? commands / seconds : 0;
  }
}
