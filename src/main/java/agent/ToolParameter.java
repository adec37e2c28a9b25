package agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.List;

/**
 * One typed parameter of a model tool: its JSON schema for the tool list, and the check of a
 * value the model sent, which names the parameter and what is expected.
 *
 * @param name the JSON property name
 * @param type the JSON type of the value
 * @param required whether the model must send it
 * @param allowed the values a {@link Type#ENUM} parameter takes, in the order the schema lists them; empty otherwise
 * @param description what the parameter sets and its default, for the model
 * @param expected what a valid value looks like, for error messages, e.g. "an absolute path of a log file"
 */
record ToolParameter(String name, Type type, boolean required, List<String> allowed, String description,
    String expected) {

  /** The JSON types a tool parameter takes. */
  enum Type { STRING, STRING_ARRAY, ENUM, BOOLEAN }

  ToolParameter {
    allowed = List.copyOf(allowed);
    if (type == Type.ENUM && allowed.isEmpty()) {
      throw new IllegalArgumentException("enum parameter [" + name + "] has no values");
    }
  }

  static ToolParameter string(String name, boolean required, String description, String expected) {
    return new ToolParameter(name, Type.STRING, required, List.of(), description, expected);
  }

  static ToolParameter strings(String name, boolean required, String description, String expected) {
    return new ToolParameter(name, Type.STRING_ARRAY, required, List.of(), description, expected);
  }

  static ToolParameter bool(String name, boolean required, String description) {
    return new ToolParameter(name, Type.BOOLEAN, required, List.of(), description, "true or false");
  }

  static ToolParameter oneOf(String name, boolean required, List<String> allowed, String description) {
    return new ToolParameter(name, Type.ENUM, required, allowed, description, "one of " + allowed);
  }

  /** Returns the JSON schema of the parameter as LangChain4j sends it to the model. */
  JsonSchemaElement schema() {
    return switch (type) {
      case STRING -> JsonStringSchema.builder().description(description).build();
      case STRING_ARRAY -> JsonArraySchema.builder()
          .description(description)
          .items(JsonStringSchema.builder().build())
          .build();
      case ENUM -> JsonEnumSchema.builder().description(description).enumValues(allowed).build();
      case BOOLEAN -> JsonBooleanSchema.builder().description(description).build();
    };
  }

  /**
   * Checks a value the model sent for this parameter; null or a JSON null means it was not sent.
   * Returns the problem as a sentence that names the tool and the parameter, or null when the value is valid.
   */
  String problem(String tool, JsonNode value) {
    String subject = "Parameter [" + name + "] of tool " + tool;
    if (value == null || value.isNull()) {
      return required ? subject + " is missing: expected " + expected + "." : null;
    }
    switch (type) {
      case STRING -> {
        if (!value.isTextual()) {
          return subject + " is invalid: expected a string, " + expected + ", got " + preview(value) + ".";
        }
        if (required && value.asText().isBlank()) {
          return subject + " is empty: expected " + expected + ".";
        }
      }
      case STRING_ARRAY -> {
        if (!value.isArray()) {
          return subject + " is invalid: expected an array of strings, " + expected + ", got " + preview(value) + ".";
        }
        for (JsonNode element : value) {
          if (!element.isTextual()) {
            return subject + " is invalid: every element must be a string, got " + preview(element) + ".";
          }
        }
        if (required && value.isEmpty()) {
          return subject + " is empty: expected " + expected + ".";
        }
      }
      case ENUM -> {
        if (!value.isTextual() || !allowed.contains(value.asText())) {
          return subject + " is invalid: expected one of " + allowed + ", got " + preview(value) + ".";
        }
      }
      case BOOLEAN -> {
        if (!value.isBoolean()) {
          return subject + " is invalid: expected true or false, got " + preview(value) + ".";
        }
      }
    }
    return null;
  }

  /** Renders a value the model sent for an error message, cut to 100 characters. */
  static String preview(JsonNode value) {
    String text = value.toString();
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }
}
