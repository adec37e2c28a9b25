package fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputSanitizerTest {

  @Test
  void keepsNewlineAndTab() {
    assertThat(OutputSanitizer.clean("a\tb\nc\n")).isEqualTo("a\tb\nc\n");
  }

  @Test
  void removesControlCharacters() {
    assertThat(OutputSanitizer.clean("red\u001b[31mtext\u001b[0m")).isEqualTo("red[31mtext[0m");
    assertThat(OutputSanitizer.clean("crlf\r\n")).isEqualTo("crlf\n");
    assertThat(OutputSanitizer.clean("nul\u0000bell\u0007del\u007f")).isEqualTo("nulbelldel");
    assertThat(OutputSanitizer.clean("c1\u0085\u009b")).isEqualTo("c1");
  }

  @Test
  void keepsPrintableUnicode() {
    String text = "héllo ✓ кириллица \uFFFD";

    assertThat(OutputSanitizer.clean(text)).isSameAs(text);
  }
}
