package fleet;

import fleet.CommandOutput.Outcome;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on remote hosts over SSH with the Apache MINA SSHD client.
 *
 * <ul>
 *   <li>One {@link SshClient} per runner, started by the constructor and stopped by {@link #close}.
 *   <li>One session per {@code user@address:port}, opened on first use and reused by later
 *       commands, and opened again once the server or the idle timeout has closed it.
 *   <li>A new exec channel per command, closed when the command ends or times out. The argv is
 *       sent as one string built by {@link ShellQuoting}, because the remote login shell parses it.
 *   <li>Public-key authentication only, with the key in {@link HostEntry#identityFile()} (an
 *       OpenSSH or PEM private key without passphrase). Host keys are checked against
 *       {@link HostEntry#knownHostsFile()}, and unknown or changed keys are rejected.
 * </ul>
 *
 * <p>{@link #run} never blocks: connecting, authenticating and waiting for the command run on a
 * pool of {@code threads} workers, so at most that many commands are in progress at once and
 * the rest queue. A command's timeout runs from the call to {@link #run}.
 *
 * <p>NOTE: closing the channel on timeout ends the command only if the remote sshd stops it.
 * OpenSSH without a PTY closes the command's pipes, so a command that never writes again (such
 * as {@code sleep}) keeps running on the host until it ends by itself.
 */
public final class SshRunner implements CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(SshRunner.class);

  /** The inventory entry a session connects for, carried in the connection context. */
  private static final AttributeKey<HostEntry> HOST_ENTRY = new AttributeKey<>();
  /**
   * Holder for the reason a host key was rejected, set by the key check. It is in the connection
   * context, not a session attribute, because MINA 2.16 clears session attributes on close.
   */
  private static final AttributeKey<AtomicReference<String>> HOST_KEY_PROBLEM = new AttributeKey<>();

  private final SshSettings settings;
  private final SshClient client;
  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor timer;
  private final Set<Execution> active = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, CompletableFuture<ClientSession>> sessions = new ConcurrentHashMap<>();
  /** Free channels per session key, so that no host sees more than max-channels-per-session at once. */
  private final ConcurrentMap<String, Semaphore> channelSlots = new ConcurrentHashMap<>();
  /** When each session key was last used, in System.nanoTime, for least-recently-used eviction. */
  private final ConcurrentMap<String, Long> lastUsed = new ConcurrentHashMap<>();
  private final ConnectionThrottle connectionThrottle;
  private final ConcurrentMap<Path, KnownHostsCheck> knownHostsChecks = new ConcurrentHashMap<>();
  private final Set<String> hostsAcceptingAnyKey = ConcurrentHashMap.newKeySet();

  /**
   * Starts the SSH client.
   *
   * @param threads how many commands may be connecting or running at once
   */
  public SshRunner(SshSettings settings, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.settings = settings;
    this.connectionThrottle = new ConnectionThrottle(settings.connectionsPerSecond(), System::nanoTime);
    this.workers = Executors.newFixedThreadPool(threads, daemonThreads("ssh-runner-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("ssh-runner-timer-"));
    timer.setRemoveOnCancelPolicy(true);

    client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(this::verifyServerKey);
    // Use only the inventory's settings: no ~/.ssh/config, no default keys, no passwords.
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.heartbeatInterval());
    CoreModuleProperties.IDLE_TIMEOUT.set(client, settings.idleTimeout());
    client.start();
  }

  @Override
  public CompletionStage<CommandOutput> run(CommandRequest request, HostEntry host, int outputCapBytes) {
    long startNanos = System.nanoTime();
    if (outputCapBytes < 0) {
      String error = "invalid output cap [" + outputCapBytes + "]: must not be negative";
      LOG.error("command [{}] of incident [{}] on host [{}] not started: {}",
          request.commandId(), request.incidentId(), host.name(), error);
      return CompletableFuture.completedFuture(CommandOutput.failed(Outcome.FAILED, error, Duration.ZERO));
    }

    Execution execution = new Execution(request, host, outputCapBytes, startNanos);
    active.add(execution);
    execution.result.whenComplete((output, error) -> active.remove(execution));
    try {
      ScheduledFuture<?> deadline = timer.schedule(execution::timeOut, request.timeout().toNanos(), TimeUnit.NANOSECONDS);
      execution.result.whenComplete((output, error) -> deadline.cancel(false));
      workers.execute(() -> executeGuarded(execution));
    } catch (RejectedExecutionException e) {
      execution.fail(Outcome.FAILED, "runner is closed");
    }
    return execution.result;
  }

  /** Fails every unfinished command, closes every session and stops the client and the threads. */
  @Override
  public void close() {
    // Fail first, so that an interrupted worker cannot report its own reason for the same command.
    for (Execution execution : List.copyOf(active)) {
      execution.fail(Outcome.FAILED, "runner closed before the command finished");
    }
    workers.shutdownNow();
    timer.shutdownNow();
    for (CompletableFuture<ClientSession> session : sessions.values()) {
      session.thenAccept(open -> open.close(true));
    }
    sessions.clear();
    client.stop();
  }

  /** Runs {@link #execute} and turns an unexpected exception into a FAILED result instead of a silent TIMED_OUT. */
  private void executeGuarded(Execution execution) {
    try {
      execute(execution);
    } catch (RuntimeException e) {
      LOG.error("command [{}] of incident [{}] on host [{}]: unexpected error in the SSH runner",
          execution.request.commandId(), execution.request.incidentId(), execution.host.name(), e);
      execution.fail(Outcome.FAILED, "unexpected error in the SSH runner: " + e);
    }
  }

  /**
   * Runs one command on a worker thread: session, channel, wait for the end or the deadline. A
   * cached session that turns out to be closed before the channel opened is replaced once, since
   * the command cannot have started on it.
   */
  private void execute(Execution execution) {
    String commandLine;
    try {
      commandLine = ShellQuoting.join(execution.request.argv());
    } catch (IllegalArgumentException e) {
      execution.fail(Outcome.FAILED, "argv cannot be sent over SSH: " + e.getMessage());
      return;
    }
    String key = sessionKey(execution.host);
    Semaphore slots = channelSlots.computeIfAbsent(key, k -> new Semaphore(settings.maxChannelsPerSession()));
    try {
      if (!slots.tryAcquire(execution.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
        return; // every channel of the host stayed busy until the deadline, which completes the result
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      execution.fail(Outcome.FAILED, "runner was stopped while waiting for a free channel");
      return;
    }
    try {
      lastUsed.put(key, System.nanoTime());
      executeOnSession(execution, commandLine);
    } finally {
      slots.release();
    }
  }

  private void executeOnSession(Execution execution, String commandLine) {
    for (int attempt = 1; attempt <= 2; attempt++) {
      if (execution.result.isDone()) {
        return;
      }
      ClientSession session;
      try {
        session = session(execution.host, execution);
      } catch (SshFailure failure) {
        execution.fail(failure.outcome, failure.getMessage());
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        execution.fail(Outcome.FAILED, "runner was stopped while connecting");
        return;
      }
      if (session == null) {
        return; // the deadline passed while waiting for another command's connection
      }
      if (runChannel(session, commandLine, execution) == ChannelResult.DONE) {
        return;
      }
      LOG.info("SSH session [{}] closed before command [{}] of incident [{}] opened a channel; connecting again",
          sessionKey(execution.host), execution.request.commandId(), execution.request.incidentId());
    }
    execution.fail(Outcome.FAILED, "SSH session closed twice before the command could start");
  }

  private enum ChannelResult {
    /** The result is complete, or the deadline will complete it. */
    DONE,
    /** The session was closed before the channel opened, so the command did not run. */
    SESSION_CLOSED
  }

  /** Runs {@code commandLine} on a new exec channel of {@code session} and closes the channel in every case. */
  private ChannelResult runChannel(ClientSession session, String commandLine, Execution execution) {
    boolean opened = false;
    try (ChannelExec channel = session.createExecChannel(commandLine)) {
      channel.setOut(execution.stdout);
      channel.setErr(execution.stderr);
      if (!execution.attach(channel)) {
        return ChannelResult.DONE;
      }
      OpenFuture opening = channel.open();
      if (!opening.await(execution.remaining())) {
        return ChannelResult.DONE; // the deadline has passed
      }
      if (!opening.isOpened()) {
        if (isClosed(session)) {
          return ChannelResult.SESSION_CLOSED;
        }
        execution.fail(Outcome.FAILED, "failed to open an exec channel: " + describe(opening.getException()));
        return ChannelResult.DONE;
      }
      opened = true;
      channel.getInvertedIn().close(); // sends EOF, so a command that reads stdin does not wait
      Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), execution.remaining());
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        execution.timeOut();
        return ChannelResult.DONE;
      }
      execution.finish(channel.getExitStatus(), channel.getExitSignal());
      return ChannelResult.DONE;
    } catch (IOException e) {
      if (!opened && isClosed(session)) {
        return ChannelResult.SESSION_CLOSED;
      }
      execution.fail(Outcome.FAILED, "command failed on the SSH channel: " + describe(e));
      return ChannelResult.DONE;
    }
  }

  private static boolean isClosed(ClientSession session) {
    return !session.isOpen() || session.isClosing();
  }

  private static String sessionKey(HostEntry host) {
    return host.user() + "@" + host.address() + ":" + host.port();
  }

  /**
   * Returns the open session for the host, connecting when there is none. Commands that find a
   * connection attempt in progress wait for it and share its outcome. Returns null when the
   * command's deadline passes while waiting for another command's connection.
   */
  private ClientSession session(HostEntry host, Execution execution) throws SshFailure, InterruptedException {
    String key = sessionKey(host);
    while (true) {
      CompletableFuture<ClientSession> attempt = new CompletableFuture<>();
      CompletableFuture<ClientSession> existing = sessions.putIfAbsent(key, attempt);
      if (existing == null) {
        try {
          awaitConnectionSlot(key);
          ClientSession session = connect(host, key);
          attempt.complete(session);
          evictLeastRecentlyUsed(key);
          return session;
        } catch (SshFailure | RuntimeException failure) {
          sessions.remove(key, attempt);
          attempt.completeExceptionally(failure);
          throw failure;
        }
      }

      ClientSession session;
      try {
        session = existing.get(execution.remaining().toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return null;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof SshFailure failure) {
          throw new SshFailure(failure.outcome, failure.getMessage());
        }
        throw new SshFailure(Outcome.FAILED, "connection failed: " + describe(e.getCause()));
      }
      if (!isClosed(session)) {
        return session;
      }
      LOG.info("SSH session [{}] was closed; connecting again", key);
      sessions.remove(key, existing);
    }
  }

  /** Waits for this connection's slot of the fleet-wide connection rate. */
  private void awaitConnectionSlot(String key) throws InterruptedException {
    Duration wait = connectionThrottle.reserve();
    if (!wait.isZero()) {
      LOG.debug("SSH connection to [{}] waits [{}] for the fleet-wide connection rate", key, wait);
      Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
    }
  }

  /**
   * Closes the least recently used sessions with no command running while more than
   * max-open-sessions are open. The session just opened is never closed here.
   */
  private void evictLeastRecentlyUsed(String keep) {
    int excess = sessions.size() - settings.maxOpenSessions();
    if (excess <= 0) {
      return;
    }
    List<String> candidates = new java.util.ArrayList<>(sessions.keySet());
    candidates.remove(keep);
    candidates.sort(java.util.Comparator.comparingLong(k -> lastUsed.getOrDefault(k, Long.MIN_VALUE)));
    for (String key : candidates) {
      if (excess <= 0) {
        return;
      }
      Semaphore slots = channelSlots.get(key);
      boolean idle = slots == null || slots.availablePermits() == settings.maxChannelsPerSession();
      CompletableFuture<ClientSession> session = sessions.get(key);
      if (!idle || session == null || !session.isDone() || session.isCompletedExceptionally()) {
        continue;
      }
      if (sessions.remove(key, session)) {
        LOG.info("SSH session [{}] closed: more than [{}] sessions open and it was the least recently used",
            key, settings.maxOpenSessions());
        closeQuietly(session.join());
        excess--;
      }
    }
  }

  /** Connects, checks the host key and authenticates, each step within its configured timeout. */
  private ClientSession connect(HostEntry host, String key) throws SshFailure {
    KeyPair identity = loadIdentity(host);
    AtomicReference<String> hostKeyProblem = new AtomicReference<>();
    AttributeRepository context = AttributeRepository.ofAttributesMap(Map.of(HOST_ENTRY, host, HOST_KEY_PROBLEM, hostKeyProblem));
    ConnectFuture connecting;
    try {
      connecting = client.connect(host.user(), host.address(), host.port(), context, null);
      if (!connecting.await(settings.connectTimeout())) {
        connecting.cancel();
        connecting.addListener(late -> {
          if (late.isConnected()) {
            closeQuietly(late.getClientSession());
          }
        });
        throw new SshFailure(Outcome.UNREACHABLE,
            "connection to " + key + " timed out after " + settings.connectTimeout().toMillis() + " ms");
      }
    } catch (IOException e) {
      throw new SshFailure(Outcome.UNREACHABLE, "connection to " + key + " failed: " + describe(e));
    }
    if (!connecting.isConnected()) {
      throw new SshFailure(Outcome.UNREACHABLE, "connection to " + key + " failed: " + describe(connecting.getException()));
    }

    ClientSession session = connecting.getClientSession();
    try {
      session.addPublicKeyIdentity(identity);
      AuthFuture auth = session.auth();
      boolean done = auth.await(settings.authTimeout());
      if (done && auth.isSuccess()) {
        LOG.info("opened SSH session [{}]", key);
        return session;
      }
      closeQuietly(session);
      rejectIfHostKeyProblem(hostKeyProblem);
      if (!done) {
        throw new SshFailure(Outcome.AUTH_FAILED,
            "authentication to " + key + " timed out after " + settings.authTimeout().toMillis() + " ms");
      }
      throw new SshFailure(Outcome.AUTH_FAILED,
          "authentication to " + key + " failed with identity file " + host.identityFile() + ": " + describe(auth.getException()));
    } catch (IOException e) {
      closeQuietly(session);
      rejectIfHostKeyProblem(hostKeyProblem);
      throw new SshFailure(Outcome.AUTH_FAILED, "authentication to " + key + " failed: " + describe(e));
    }
  }

  private static void rejectIfHostKeyProblem(AtomicReference<String> hostKeyProblem) throws SshFailure {
    String problem = hostKeyProblem.get();
    if (problem != null) {
      throw new SshFailure(Outcome.HOST_KEY_REJECTED, problem);
    }
  }

  /** Loads the host's private key. Its contents are never logged, and errors name only the file. */
  private static KeyPair loadIdentity(HostEntry host) throws SshFailure {
    Path file = host.identityFile();
    if (file == null) {
      throw new SshFailure(Outcome.AUTH_FAILED, "identity-file is not set for host " + host.name());
    }
    try {
      Iterator<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null).iterator();
      if (keys.hasNext()) {
        return keys.next();
      }
      throw new SshFailure(Outcome.AUTH_FAILED, "identity file " + file + " contains no private key");
    } catch (RuntimeException e) {
      // FileKeyPairProvider loads lazily and wraps I/O and parse errors in runtime exceptions.
      throw new SshFailure(Outcome.AUTH_FAILED, "failed to read identity file " + file + ": " + describe(e));
    }
  }

  /** Checks the server's host key against the known_hosts file of the host entry the session was opened for. */
  private boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    AttributeRepository context = session.getConnectionContext();
    HostEntry host = context == null ? null : context.getAttribute(HOST_ENTRY);
    if (host == null) {
      // Only connect() opens sessions, and it always sets the entry.
      LOG.error("session to [{}] has no inventory entry; host key rejected", remote);
      return false;
    }
    Path knownHosts = host.knownHostsFile();
    if (knownHosts == null) {
      if (hostsAcceptingAnyKey.add(host.name())) {
        LOG.warn("host [{}] has no known-hosts-file: accepting any host key, now [{}] from [{}]",
            host.name(), KeyUtils.getFingerPrint(key), remote);
      }
      return true;
    }
    return knownHostsChecks.computeIfAbsent(knownHosts, KnownHostsCheck::new).verifyServerKey(session, remote, key);
  }

  /**
   * Host key check against one known_hosts file, which records the reason for a rejection in the
   * connection context. The file is read again when it changes. Unknown hosts are never added to it.
   */
  private static final class KnownHostsCheck extends KnownHostsServerKeyVerifier {

    KnownHostsCheck(Path file) {
      super(RejectAllServerKeyVerifier.INSTANCE, file);
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
      reject(session, "host key " + KeyUtils.getFingerPrint(key) + " of " + remote
          + " is not listed in known_hosts file " + getPath());
      return false;
    }

    @Override
    public boolean acceptModifiedServerKey(
        ClientSession session, SocketAddress remote, KnownHostEntry entry, PublicKey expected, PublicKey actual) {
      reject(session, "host key " + KeyUtils.getFingerPrint(actual) + " of " + remote + " does not match the key "
          + KeyUtils.getFingerPrint(expected) + " listed in known_hosts file " + getPath());
      return false;
    }

    @Override
    protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remote, PublicKey key, Throwable reason) {
      reject(session, "failed to read known_hosts file " + getPath() + ": " + describe(reason));
      return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey key) {
      reject(session, "host key " + KeyUtils.getFingerPrint(key) + " of " + remote
          + " is marked @revoked in known_hosts file " + getPath());
    }

    /** Records the problem for the connecting command, which reports it as HOST_KEY_REJECTED and logs it. */
    private static void reject(ClientSession session, String problem) {
      AttributeRepository context = session.getConnectionContext();
      AtomicReference<String> holder = context == null ? null : context.getAttribute(HOST_KEY_PROBLEM);
      if (holder != null) {
        holder.set(problem);
      }
    }
  }

  /** One command from {@link #run} until its result is complete. */
  private final class Execution extends CommandExecution {
    private ChannelExec channel; // guarded by this
    private boolean stopped; // guarded by this: timed out or failed, so a late channel must be closed

    Execution(CommandRequest request, HostEntry host, int outputCapBytes, long startNanos) {
      super(request, host, outputCapBytes, startNanos);
    }

    /** Records the channel so that a timeout can close it. Returns false when the command already ended. */
    synchronized boolean attach(ChannelExec opened) {
      if (stopped) {
        return false;
      }
      channel = opened;
      return true;
    }

    Duration remaining() {
      long left = startNanos + request.timeout().toNanos() - System.nanoTime();
      return Duration.ofNanos(Math.max(0, left));
    }

    void finish(Integer exitStatus, String exitSignal) {
      if (exitStatus != null) {
        result.complete(CommandOutput.exited(exitStatus, stdout.text(), stderr.text(), truncated(), elapsed()));
        return;
      }
      String error = exitSignal != null
          ? "command was killed by signal " + exitSignal
          : "channel closed without an exit status";
      complete(new CommandOutput(Outcome.FAILED, -1, stdout.text(), stderr.text(), truncated(), elapsed(), error));
    }

    /** Completes as {@code TIMED_OUT} with the output so far and closes the channel. */
    void timeOut() {
      String error = "timed out after " + request.timeout().toMillis() + " ms";
      complete(new CommandOutput(Outcome.TIMED_OUT, -1, stdout.text(), stderr.text(), truncated(), elapsed(), error));
    }

    void fail(Outcome outcome, String error) {
      complete(new CommandOutput(outcome, -1, "", "", false, elapsed(), error));
    }

    /** Completes first and closes the channel after, so the channel's close cannot complete the result as well. */
    private void complete(CommandOutput output) {
      ChannelExec open;
      synchronized (this) {
        stopped = true;
        open = channel;
      }
      boolean completed = result.complete(output);
      if (open != null && output.outcome() != Outcome.EXITED) {
        // Graceful: sends SSH_MSG_CHANNEL_CLOSE so the server ends its side. An immediate close
        // would only drop the channel locally. MINA forces the close after CHANNEL_CLOSE_TIMEOUT.
        open.close(false);
      }
      if (completed) {
        LOG.warn("command [{}] of incident [{}] on host [{}] ended as [{}]: {}",
            request.commandId(), request.incidentId(), host.name(), output.outcome(), output.error());
      }
    }

  }

  /** A failure before the command ran, already classified. */
  private static final class SshFailure extends Exception {
    private final Outcome outcome;

    SshFailure(Outcome outcome, String message) {
      super(message, null, false, false);
      this.outcome = outcome;
    }
  }

  private static void closeQuietly(ClientSession session) {
    if (session != null) {
      session.close(true);
    }
  }

  /** Returns the innermost cause's message, which names the real problem (e.g. "Connection refused"). */
  private static String describe(Throwable error) {
    if (error == null) {
      return "no reason given";
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
