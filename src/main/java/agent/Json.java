package agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON mapper for wire formats and insights (ISO-8601 timestamps, unknown fields ignored on
 * input), and small accessors for analyzer parameters and findings.
 */
public final class Json {

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Serialises to one line of JSON; the value types here are records that always serialise. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName() + " to JSON", e);
    }
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  /** Returns the text of {@code field}, or null when params is null or the field is missing or null. */
  static String text(JsonNode params, String field) {
    if (params == null || !params.hasNonNull(field)) {
      return null;
    }
    JsonNode value = params.get(field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("parameter [" + field + "] must be a string, got " + value);
    }
    return value.asText();
  }

  /**
   * Returns the strings of array {@code field}, or an empty list when it is missing.
   *
   * @throws IllegalArgumentException when the field is not an array of strings
   */
  static List<String> texts(JsonNode params, String field) {
    List<String> values = new ArrayList<>();
    if (params == null || !params.hasNonNull(field)) {
      return values;
    }
    JsonNode array = params.get(field);
    if (!array.isArray()) {
      throw new IllegalArgumentException("parameter [" + field + "] must be an array of strings, got " + array);
    }
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        throw new IllegalArgumentException("parameter [" + field + "] must contain only strings, got " + element);
      }
      values.add(element.asText());
    }
    return values;
  }

  static ArrayNode arrayOf(List<String> values) {
    ArrayNode array = array();
    values.forEach(array::add);
    return array;
  }

  /** Returns the elements of an array node as a list; an absent or non-array node gives an empty list. */
  static List<JsonNode> elements(JsonNode node) {
    List<JsonNode> list = new ArrayList<>();
    if (node != null && node.isArray()) {
      node.forEach(list::add);
    }
    return list;
  }
}
