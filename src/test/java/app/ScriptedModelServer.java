package app;

import agent.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted model behind a real OpenAI-compatible chat completions endpoint on 127.0.0.1: each
 * POST to {@code /v1/chat/completions} takes the next reply of the script, which may be computed
 * from the request (the conversation so far), and every request body is kept for assertions.
 */
final class ScriptedModelServer implements AutoCloseable {

  /** One scripted reply: an HTTP status, headers and a body computed from the request. */
  record Reply(int status, Map<String, String> headers, Function<JsonNode, JsonNode> body) {}

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
  final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger callIds = new AtomicInteger();

  ScriptedModelServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.createContext("/v1/messages", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  ScriptedModelServer then(Reply reply) {
    script.add(reply);
    return this;
  }

  /** Adds a turn that calls tools, given as pairs of tool name and JSON arguments. */
  ScriptedModelServer thenTools(String... nameAndArguments) {
    return then(new Reply(200, Map.of(), request -> toolCalls(nameAndArguments)));
  }

  /** Adds a turn computed from the conversation so far. */
  ScriptedModelServer thenReply(Function<JsonNode, JsonNode> body) {
    return then(new Reply(200, Map.of(), body));
  }

  /** Adds a final turn that submits an insight through the submit_insight tool. */
  ScriptedModelServer thenSubmit(Function<JsonNode, JsonNode> answer) {
    return then(new Reply(200, Map.of(), request -> toolCalls("submit_insight", Json.write(answer.apply(request)))));
  }

  ScriptedModelServer thenStatus(int status, Map<String, String> headers) {
    return then(new Reply(status, headers, request -> Json.mapper().createObjectNode()
        .set("error", Json.mapper().createObjectNode().put("message", "scripted HTTP " + status))));
  }

  int remaining() {
    return script.size();
  }

  private void handle(HttpExchange exchange) throws IOException {
    JsonNode request = Json.mapper().readTree(exchange.getRequestBody());
    requests.add(request);
    Reply reply = script.poll();
    if (reply == null) {
      reply = new Reply(500, Map.of(), r -> Json.mapper().createObjectNode()
          .set("error", Json.mapper().createObjectNode().put("message", "the script has no more replies")));
    }
    byte[] body = Json.write(reply.body().apply(request)).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    exchange.sendResponseHeaders(reply.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Returns the last commandId in the tool results of a request; a test cites it as evidence. */
  static String lastCommandId(String toolResults) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("commandId[=\": ]+([A-Za-z0-9_.:-]*[0-9])").matcher(toolResults);
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    if (last == null) {
      throw new AssertionError("no commandId in the tool results: " + toolResults);
    }
    return last;
  }

  /** Builds a chat completion whose assistant message calls the given tools. */
  JsonNode toolCalls(String... nameAndArguments) {
    ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant");
    message.putNull("content");
    ArrayNode calls = message.putArray("tool_calls");
    for (int i = 0; i < nameAndArguments.length; i += 2) {
      ObjectNode call = calls.addObject().put("id", "call_" + callIds.incrementAndGet()).put("type", "function");
      call.putObject("function").put("name", nameAndArguments[i]).put("arguments", nameAndArguments[i + 1]);
    }
    return completion(message, "tool_calls");
  }

  /** Builds a chat completion whose assistant message is plain text. */
  static JsonNode text(String content) {
    ObjectNode message = Json.mapper().createObjectNode().put("role", "assistant").put("content", content);
    return completion(message, "stop");
  }

  private static JsonNode completion(ObjectNode message, String finishReason) {
    ObjectNode completion = Json.mapper().createObjectNode()
        .put("id", "chatcmpl-scripted").put("object", "chat.completion").put("created", 1_767_000_000L)
        .put("model", "scripted-model");
    ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
    choice.set("message", message);
    choice.put("finish_reason", finishReason);
    completion.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 50).put("total_tokens", 1050);
    return completion;
  }

  /** Builds an Anthropic Messages API reply that calls one tool with the given input object. */
  static JsonNode anthropicToolUse(String name, JsonNode input) {
    ObjectNode message = Json.mapper().createObjectNode()
        .put("id", "msg_scripted").put("type", "message").put("role", "assistant").put("model", "claude-scripted");
    ObjectNode block = message.putArray("content").addObject()
        .put("type", "tool_use").put("id", "toolu_" + name + "_" + System.nanoTime()).put("name", name);
    block.set("input", input);
    message.put("stop_reason", "tool_use");
    message.putObject("usage").put("input_tokens", 800).put("output_tokens", 40);
    return message;
  }

  /** Returns the content of the last tool message in a request, the result of the previous tool call. */
  static String lastToolResult(JsonNode request) {
    JsonNode messages = request.get("messages");
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).path("role").asText().equals("tool")) {
        return messages.get(i).path("content").asText();
      }
    }
    throw new AssertionError("the request holds no tool message: " + request);
  }

  /** Returns every tool message of a request, concatenated. */
  static String allToolResults(JsonNode request) {
    StringBuilder all = new StringBuilder();
    for (JsonNode message : request.get("messages")) {
      if (message.path("role").asText().equals("tool")) {
        all.append(message.path("content").asText()).append('\n');
      }
    }
    return all.toString();
  }

  /** Returns the text of every string value in a request, one a line, whichever API's message format it has. */
  static String allTexts(JsonNode request) {
    StringBuilder all = new StringBuilder();
    collectTexts(request, all);
    return all.toString();
  }

  private static void collectTexts(JsonNode node, StringBuilder all) {
    if (node.isTextual()) {
      all.append(node.asText()).append('\n');
    }
    node.forEach(child -> collectTexts(child, all));
  }

  /**
   * Returns a quote that supports a claim citing {@code commandId}, as a careful model would copy
   * it from the tool results: the first line of the command's output, or the reason it was rejected.
   */
  static String quote(String toolResults, String commandId) {
    int start = toolResults.lastIndexOf("commandId: " + commandId + "\n");
    if (start < 0) {
      throw new AssertionError("no tool result of [" + commandId + "] in: " + toolResults);
    }
    int end = toolResults.indexOf("\ncommandId: ", start + 1);
    String result = toolResults.substring(start, end < 0 ? toolResults.length() : end);
    java.util.regex.Matcher rejected =
        java.util.regex.Pattern.compile("The command did not run: rejected(?: by the command policy)?: (.+)").matcher(result);
    if (rejected.find()) {
      return rejected.group(1).strip();
    }
    java.util.regex.Matcher output = java.util.regex.Pattern.compile("\noutput:\n(.+)").matcher(result);
    if (!output.find()) {
      throw new AssertionError("the tool result of [" + commandId + "] has no output line: " + result);
    }
    return output.group(1).strip();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
