package fleet;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An in-process SSH server for tests, on 127.0.0.1 and a free port. It has a fresh ECDSA host
 * key, accepts only the given public keys (any user name), and runs each exec request with
 * {@code /bin/sh -c} as the current user in a given working directory. It counts sessions and
 * channels so that tests can check session reuse and channel cleanup.
 */
public final class TestSshServer implements AutoCloseable {

  private final SshServer server;
  private final KeyPair hostKey;
  private final Path workingDirectory;
  private final ExecutorService commandThreads = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "test-sshd-command");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicInteger sessionsOpened = new AtomicInteger();
  private final AtomicInteger channelsOpened = new AtomicInteger();
  private final AtomicInteger channelsClosed = new AtomicInteger();
  private final AtomicInteger channelsOpen = new AtomicInteger();
  private final AtomicInteger maxChannelsOpen = new AtomicInteger();
  private final AtomicBoolean dropSessionOnNextChannel = new AtomicBoolean();

  private TestSshServer(Collection<PublicKey> authorizedKeys, Path workingDirectory) throws GeneralSecurityException {
    this.hostKey = TestKeys.generate();
    this.workingDirectory = workingDirectory;
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    server.setPublickeyAuthenticator(new KeySetPublickeyAuthenticator("test-authorized-keys", List.copyOf(authorizedKeys)));
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setCommandFactory((channel, command) -> new ShellCommand(command));
    server.addSessionListener(new SessionListener() {
      @Override
      public void sessionCreated(Session session) {
        sessionsOpened.incrementAndGet();
      }
    });
    server.addChannelListener(new ChannelListener() {
      @Override
      public void channelInitialized(Channel channel) {
        if (dropSessionOnNextChannel.compareAndSet(true, false)) {
          channel.getSession().close(true);
        }
      }

      @Override
      public void channelOpenSuccess(Channel channel) {
        channelsOpened.incrementAndGet();
        maxChannelsOpen.accumulateAndGet(channelsOpen.incrementAndGet(), Math::max);
      }

      @Override
      public void channelClosed(Channel channel, Throwable reason) {
        channelsClosed.incrementAndGet();
        channelsOpen.decrementAndGet();
      }
    });
  }

  /** Starts a server that accepts {@code authorizedKeys} and runs commands in {@code workingDirectory}. */
  public static TestSshServer start(Collection<PublicKey> authorizedKeys, Path workingDirectory)
      throws IOException, GeneralSecurityException {
    TestSshServer fixture = new TestSshServer(authorizedKeys, workingDirectory);
    fixture.server.start();
    return fixture;
  }

  public int port() {
    return server.getPort();
  }

  PublicKey hostPublicKey() {
    return hostKey.getPublic();
  }

  /** Writes a known_hosts file that lists this server's host key. */
  public Path writeKnownHosts(Path file) throws IOException {
    return writeKnownHosts(file, port(), hostPublicKey());
  }

  /** Writes a known_hosts file that lists {@code key} for 127.0.0.1 on {@code port}. */
  static Path writeKnownHosts(Path file, int port, PublicKey key) throws IOException {
    String line = "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key) + "\n";
    Files.writeString(file, line, StandardCharsets.UTF_8);
    return file;
  }

  /** Returns how many SSH sessions clients opened, counted at connection, so failed authentications count too. */
  int sessionsOpened() {
    return sessionsOpened.get();
  }

  int channelsOpened() {
    return channelsOpened.get();
  }

  int channelsClosed() {
    return channelsClosed.get();
  }

  /** The most channels that were open at the same time. */
  int maxChannelsOpen() {
    return maxChannelsOpen.get();
  }

  int activeSessions() {
    return server.getActiveSessions().size();
  }

  /** Makes the server drop the whole session when the next channel is requested, before it opens. */
  void dropSessionOnNextChannel() {
    dropSessionOnNextChannel.set(true);
  }

  /** Closes every session from the server side, as a restarted sshd or a dropped connection would. */
  void closeSessions() {
    server.getActiveSessions().forEach(session -> session.close(true));
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
    commandThreads.shutdownNow();
  }

  /** Runs one exec request as a local {@code /bin/sh -c} process and reports its exit code. */
  private final class ShellCommand implements Command {
    private final String commandLine;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private volatile Process process;

    ShellCommand(String commandLine) {
      this.commandLine = commandLine;
    }

    @Override
    public void setInputStream(InputStream in) {
      // Commands get /dev/null as stdin.
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment environment) throws IOException {
      Process started = new ProcessBuilder("/bin/sh", "-c", commandLine)
          .directory(workingDirectory.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      process = started;
      commandThreads.execute(() -> {
        int exitCode = 255;
        try {
          Future<?> stderrCopy = commandThreads.submit(() -> copy(started.getErrorStream(), err));
          copy(started.getInputStream(), out);
          stderrCopy.get();
          exitCode = started.waitFor();
        } catch (Exception e) {
          started.destroyForcibly();
        }
        exitCallback.onExit(exitCode);
      });
    }

    @Override
    public void destroy(ChannelSession channel) {
      Process running = process;
      if (running != null) {
        running.descendants().toList().forEach(ProcessHandle::destroyForcibly);
        running.destroyForcibly();
      }
    }

    private Void copy(InputStream in, OutputStream target) {
      byte[] buffer = new byte[8192];
      try (in) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          target.write(buffer, 0, n);
          target.flush();
        }
      } catch (IOException e) {
        // The channel closed before the process ended; destroy() kills the process.
      }
      return null;
    }
  }
}
