package app;

import fleet.HostEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenSSH sshd instances of {@code bench ssh}, started by {@code bench/ssh/prepare.sh} in a
 * temporary directory (keys, configuration, logs) on loopback addresses 127.0.1.1 upward, and
 * stopped by {@code bench/ssh/stop.sh}. Each address is one host of the benchmark.
 */
final class LoopbackSshd implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoopbackSshd.class);

  /** Exit code of prepare.sh when apt-get failed. */
  private static final int EXIT_INSTALL_FAILED = 3;

  private final Path scripts;
  private final Path directory;
  private final List<HostEntry> hosts;
  private final int instances;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LoopbackSshd(Path scripts, Path directory, List<HostEntry> hosts, int instances) {
    this.scripts = scripts;
    this.directory = directory;
    this.hosts = hosts;
    this.instances = instances;
  }

  /**
   * Runs prepare.sh, which installs openssh-server and ansible when they are missing, creates
   * {@code user} when it is missing and starts the sshd instances; its output goes to stderr.
   *
   * @throws IllegalStateException when the script fails, with its reason
   */
  static LoopbackSshd start(Path scripts, Path directory, int hosts, int port, int maxStartups, int maxSessions,
      String user, Duration timeout) throws IOException, InterruptedException {
    Path prepare = scripts.resolve("prepare.sh");
    if (!Files.isExecutable(prepare)) {
      throw new IllegalArgumentException("--scripts: " + prepare + " is missing or not executable; pass the bench/ssh "
          + "directory of a fleet-sre checkout");
    }
    int exitCode = runScript(List.of(prepare.toString(), directory.toString(), Integer.toString(hosts),
        Integer.toString(port), Integer.toString(maxStartups), Integer.toString(maxSessions), user), timeout);
    LoopbackSshd sshd = new LoopbackSshd(scripts, directory, List.of(), 0);
    if (exitCode != 0) {
      sshd.close(); // stops the instances that did start
      if (exitCode == EXIT_INSTALL_FAILED) {
        throw new IllegalStateException("bench/ssh/prepare.sh could not install openssh-server or ansible "
            + "(apt-get failed; its output is above); install them and run again");
      }
      throw new IllegalStateException("bench/ssh/prepare.sh failed with exit code " + exitCode + "; see its "
          + "message above and the sshd logs in " + directory);
    }

    Path identity = directory.resolve("id_ecdsa");
    Path knownHosts = directory.resolve("known_hosts");
    List<HostEntry> entries = new ArrayList<>();
    for (String address : Files.readAllLines(directory.resolve("hosts.txt"), StandardCharsets.UTF_8)) {
      if (!address.isBlank()) {
        entries.add(new HostEntry(address, "ssh", address, port, user, identity, knownHosts));
      }
    }
    int instances = Integer.parseInt(Files.readString(directory.resolve("sshd-instances")).trim());
    return new LoopbackSshd(scripts, directory, List.copyOf(entries), instances);
  }

  /** Returns one inventory entry per loopback address, whose name and address are both that address. */
  List<HostEntry> hosts() {
    return hosts;
  }

  int instances() {
    return instances;
  }

  /**
   * Stops the sshd instances with stop.sh, once however often it is called; a failure is logged,
   * since the benchmark's figures are already taken.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      int exitCode = runScript(List.of(scripts.resolve("stop.sh").toString(), directory.toString()),
          Duration.ofMinutes(1));
      if (exitCode != 0) {
        LOG.error("bench/ssh/stop.sh [{}] exited with [{}]; check for sshd processes started with that directory",
            directory, exitCode);
      }
    } catch (IOException e) {
      LOG.error("failed to run bench/ssh/stop.sh [{}]; sshd instances may still run", directory, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.error("interrupted while stopping the sshd instances of [{}]", directory);
    }
  }

  /** Runs a script with its stdout and stderr copied to this process's stderr; returns its exit code. */
  private static int runScript(List<String> argv, Duration timeout) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    Thread copy = new Thread(() -> copyToStderr(process.getInputStream()), "bench-script-output");
    copy.setDaemon(true);
    copy.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException(argv.get(0) + " did not finish within " + timeout.toSeconds() + " s and was stopped");
    }
    copy.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  private static void copyToStderr(InputStream in) {
    byte[] buffer = new byte[8192];
    try (in) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        System.err.write(buffer, 0, n);
        System.err.flush();
      }
    } catch (IOException e) {
      // The script ended; what it printed so far was copied.
    }
  }
}
