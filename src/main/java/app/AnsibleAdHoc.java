package app;

import fleet.HostEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ansible side of {@code bench ssh}: {@code ansible all -m command -a COMMAND -o} with its own
 * {@code ansible.cfg} and inventory. One invocation runs the command once on every host, so a
 * pass of N commands per host is N invocations in a row, each with ansible's start-up included.
 *
 * <p>Connections: OpenSSH's ControlMaster with ControlPersist, as in ansible's default
 * {@code ssh_args}, keeps one master connection per host open between invocations. Each
 * {@link #newControlDirectory} starts with no master, so the next pass includes connection setup.
 */
final class AnsibleAdHoc {

  /** A line of {@code -o} (one-line) output for a host whose command exited with status 0. */
  private static final Pattern OK_LINE = Pattern.compile("^(\\S+) \\| (?:CHANGED|SUCCESS) \\| rc=0 \\|");
  /** A line of {@code -o} output for a host that failed or was unreachable. */
  private static final Pattern FAILED_LINE = Pattern.compile("^(\\S+) \\| (?:FAILED|UNREACHABLE|CHANGED|SUCCESS)");

  /**
   * Connection settings of ansible for the hosts.
   *
   * @param executable the {@code ansible} program
   * @param hosts the hosts, one inventory entry each with its address and port. The remote user,
   *     private key and known_hosts file are taken from the first host and must be the same for all.
   * @param forks ansible's {@code --forks}: hosts handled at once
   * @param pipelining ansible's ssh {@code pipelining}: send the module on the exec channel's stdin
   *     instead of copying it to a temporary file first
   * @param controlPersist how long an idle ControlMaster connection stays open
   * @param pythonInterpreter {@code ansible_python_interpreter} on the hosts, which skips interpreter discovery
   * @param connectTimeout ansible's {@code timeout}: SSH connection timeout
   */
  record Settings(String executable, List<HostEntry> hosts, int forks, boolean pipelining, Duration controlPersist,
      String pythonInterpreter, Duration connectTimeout) {

    Settings {
      hosts = List.copyOf(hosts);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("ansible needs at least one host");
      }
    }

    HostEntry first() {
      return hosts.get(0);
    }

    List<String> names() {
      return hosts.stream().map(HostEntry::name).toList();
    }
  }

  /** Hosts whose command succeeded, and the failures, from one invocation's output. */
  record Tally(Set<String> succeeded, List<String> failures) {}

  /**
   * The longest path of a Unix domain socket on Linux (sun_path has 108 bytes including the final
   * NUL), which ssh needs for the ControlMaster socket.
   */
  private static final int MAX_SOCKET_PATH = 107;
  /**
   * Length of the part ssh adds to the control directory: "/", %C (40 hex digits) and a temporary
   * suffix of 17 characters.
   */
  private static final int SOCKET_NAME_LENGTH = 1 + 40 + 17;

  private final Settings settings;
  private final Path directory;
  private final Path controlRoot;
  private final Path configFile;
  private Path controlDirectory;
  private int controlDirectories;

  /**
   * Writes {@code ansible.cfg} and {@code inventory.ini} into {@code directory}; the ControlMaster
   * directories {@code cp-1}, {@code cp-2}, ... go into {@code controlRoot}, whose path must be
   * short because a Unix socket path has at most 107 bytes.
   */
  AnsibleAdHoc(Settings settings, Path directory, Path controlRoot) throws IOException, InterruptedException {
    int longest = controlRoot.toString().length() + "/cp-99".length() + SOCKET_NAME_LENGTH;
    if (longest > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException("ControlMaster sockets under [" + controlRoot + "] would be " + longest
          + " characters long, over the " + MAX_SOCKET_PATH + " a Unix socket allows; give java.io.tmpdir a "
          + "shorter directory, e.g. FLEET_SRE_JAVA_OPTS=-Djava.io.tmpdir=/tmp");
    }
    this.settings = settings;
    this.directory = directory;
    this.controlRoot = controlRoot;
    this.configFile = directory.resolve("ansible.cfg");
    Path inventory = directory.resolve("inventory.ini");
    StringBuilder hosts = new StringBuilder("[bench]\n");
    for (HostEntry host : settings.hosts()) {
      hosts.append(host.name()).append(" ansible_host=").append(host.address())
          .append(" ansible_port=").append(host.port()).append('\n');
    }
    Files.writeString(inventory, hosts, StandardCharsets.UTF_8);
    Files.writeString(configFile, config(settings, inventory, directory.resolve("local-tmp")), StandardCharsets.UTF_8);
    newControlDirectory();
  }

  static String config(Settings settings, Path inventory, Path localTemp) {
    // -F /dev/null keeps ~/.ssh/config out, as fleet-sre ignores it too. ControlMaster and
    // ControlPersist are ansible's default ssh_args. %C, a hash of the connection, keeps the
    // socket path short.
    String sshArgs = "-F /dev/null -C -o ControlMaster=auto -o ControlPersist=" + settings.controlPersist().toSeconds()
        + "s -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + settings.first().knownHostsFile()
        + " -o IdentitiesOnly=yes";
    return """
        # Written by fleet-sre bench ssh.
        [defaults]
        inventory = %s
        remote_user = %s
        private_key_file = %s
        forks = %d
        timeout = %d
        host_key_checking = True
        interpreter_python = %s
        local_tmp = %s
        retry_files_enabled = False
        deprecation_warnings = False

        [ssh_connection]
        ssh_args = %s
        control_path = %%(directory)s/%%%%C
        pipelining = %s
        """.formatted(inventory, settings.first().user(), settings.first().identityFile(), settings.forks(),
        Math.max(1, settings.connectTimeout().toSeconds()), settings.pythonInterpreter(), localTemp, sshArgs,
        settings.pipelining() ? "True" : "False");
  }

  /**
   * Switches to a new, empty ControlMaster directory, so the next invocation finds no open
   * connection. The masters of the previous directory are closed first.
   */
  void newControlDirectory() throws IOException, InterruptedException {
    if (controlDirectory != null) {
      closeConnections();
    }
    controlDirectories++;
    controlDirectory = Files.createDirectories(controlRoot.resolve("cp-" + controlDirectories));
  }

  /**
   * Runs {@code commandsPerHost} invocations in a row and counts a host's command as failed when
   * its line does not report exit code 0 or when the host has no line.
   */
  SshBenchMeasurement run(String mode, int round, String command, int commandsPerHost, Duration invocationTimeout,
      AtomicLong completed) throws IOException, InterruptedException {
    long failed = 0;
    String firstError = "";
    long started = System.nanoTime();
    for (int invocation = 1; invocation <= commandsPerHost; invocation++) {
      Path output = directory.resolve("ansible-" + mode + "-" + round + "-" + invocation + ".out");
      String problem = invoke(command, output, invocationTimeout);
      Tally tally = tally(Files.readString(output, StandardCharsets.UTF_8), settings.names());
      int missing = settings.names().size() - tally.succeeded().size();
      failed += missing;
      completed.addAndGet(settings.names().size());
      if (missing > 0 && firstError.isEmpty()) {
        firstError = !tally.failures().isEmpty() ? tally.failures().get(0)
            : problem.isEmpty() ? missing + " hosts reported no result; see " + output : problem;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new SshBenchMeasurement("ansible", mode, round, (long) commandsPerHost * settings.names().size(), failed,
        seconds, firstError);
  }

  /** Runs ansible once, output to {@code output}; returns an error message, or empty when it exited by itself. */
  private String invoke(String command, Path output, Duration timeout) throws IOException, InterruptedException {
    List<String> argv = List.of(settings.executable(), "all", "-m", "command", "-a", command,
        "--forks", Integer.toString(settings.forks()), "-o");
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("ANSIBLE_CONFIG", configFile.toString());
    builder.environment().put("ANSIBLE_SSH_CONTROL_PATH_DIR", controlDirectory.toString());
    builder.environment().put("ANSIBLE_NOCOLOR", "1");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("cannot start [" + settings.executable() + "]: " + e.getMessage()
          + "; install ansible (bench/ssh/prepare.sh does) or pass --ansible", e);
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return "ansible did not finish within " + timeout.toSeconds() + " s and was stopped; see " + output;
    }
    return "";
  }

  /** Reads {@code -o} output: which hosts succeeded, and one message for each host that did not. */
  static Tally tally(String output, List<String> hosts) {
    Set<String> known = Set.copyOf(hosts);
    Set<String> succeeded = new LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    for (String line : output.split("\n")) {
      Matcher ok = OK_LINE.matcher(line);
      if (ok.find() && known.contains(ok.group(1))) {
        succeeded.add(ok.group(1));
        continue;
      }
      Matcher failed = FAILED_LINE.matcher(line);
      if (failed.find() && known.contains(failed.group(1))) {
        failures.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
      }
    }
    return new Tally(succeeded, failures);
  }

  /** Closes the ControlMaster connections of the current directory with {@code ssh -O exit}, one per socket. */
  void closeConnections() throws IOException, InterruptedException {
    List<Path> sockets;
    try (var files = Files.list(controlDirectory)) {
      sockets = files.toList();
    }
    for (Path socket : sockets) {
      // With a ControlPath without tokens, ssh finds the master by the path alone; the host
      // argument is only required by the syntax.
      Process exit = new ProcessBuilder("ssh", "-F", "/dev/null", "-o", "ControlPath=" + socket, "-O", "exit",
          "control-master")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!exit.waitFor(10, TimeUnit.SECONDS)) {
        exit.destroyForcibly();
      }
    }
  }
}
