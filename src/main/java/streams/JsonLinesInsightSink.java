package streams;

import agent.Insight;
import agent.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Appends each insight as one JSON line to a file, forced to disk before the delivery counts. */
public final class JsonLinesInsightSink implements InsightSink {

  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesInsightSink.class);

  private final Path file;
  private final Executor executor;

  public JsonLinesInsightSink(Path file, Executor executor) throws IOException {
    this.file = file.toAbsolutePath();
    this.executor = executor;
    Path parent = this.file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    LOG.info("insights go to JSON Lines file [{}]", this.file);
  }

  @Override
  public CompletionStage<Void> publish(Insight insight) {
    byte[] line = (Json.write(insight) + "\n").getBytes(StandardCharsets.UTF_8);
    return CompletableFuture.runAsync(() -> append(line), executor);
  }

  private synchronized void append(byte[] line) {
    try (FileChannel channel = FileChannel.open(file,
        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      channel.write(java.nio.ByteBuffer.wrap(line));
      channel.force(false);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot append insight to " + file, e);
    }
  }

  public Path file() {
    return file;
  }
}
