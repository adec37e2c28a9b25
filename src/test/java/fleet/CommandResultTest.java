package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import agent.Json;
import agent.TranscriptEntry;
import org.junit.jupiter.api.Test;

class CommandResultTest {

  @Test
  void commandResultKeepsNullFindings() throws Exception {
    CommandResult result = new CommandResult("i:1.1", "i", "web-01", "unreachable", -1, 12, "", false,
        "connection refused", null);

    CommandResult read = Json.mapper().readValue(Json.mapper().writeValueAsString(result), CommandResult.class);

    assertThat(read.findings()).isNull();
    assertThat(read).isEqualTo(result);
  }

  @Test
  void transcriptEntryKeepsNullFindings() throws Exception {
    TranscriptEntry entry = new TranscriptEntry(1, "i:1.1", "raw", java.util.List.of("uptime"), "load", "exited", 0,
        5, "up 3 days", false, "", null);

    TranscriptEntry read = Json.mapper().readValue(Json.mapper().writeValueAsString(entry), TranscriptEntry.class);

    assertThat(read.findings()).isNull();
    assertThat(read).isEqualTo(entry);
  }
}
