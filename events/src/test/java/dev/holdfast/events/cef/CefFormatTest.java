package dev.holdfast.events.cef;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CefFormatTest {
    private static String header(String v) {
        StringBuilder b = new StringBuilder();
        CefFormat.header(v, b);
        return b.toString();
    }

    private static String ext(String v) {
        StringBuilder b = new StringBuilder();
        CefFormat.escapeExtension(v, b);
        return b.toString();
    }

    @Test
    void header_escapesBackslashAndPipe_andFlattensLineBreaks() {
        assertThat(header("plain text = ok")).isEqualTo("plain text = ok");
        assertThat(header("a|b\\c")).isEqualTo("a\\|b\\\\c");
        assertThat(header("one\ntwo\rthree")).isEqualTo("one two three");
    }

    @Test
    void extension_escapesBackslashEqualsAndLineBreaks_butNotPipes() {
        assertThat(ext("plain | text")).isEqualTo("plain | text");
        assertThat(ext("k=v\\x")).isEqualTo("k\\=v\\\\x");
        assertThat(ext("l1\nl2\r")).isEqualTo("l1\\nl2\\r");
        assertThat(ext("\\n literally")).isEqualTo("\\\\n literally");
    }

    @Test
    void severity_mapsOcsfOntoTheCefScale() {
        assertThat(CefFormat.cefSeverity(dev.holdfast.events.Severity.INFORMATIONAL)).isEqualTo(1);
        assertThat(CefFormat.cefSeverity(dev.holdfast.events.Severity.HIGH)).isEqualTo(8);
        assertThat(CefFormat.cefSeverity(dev.holdfast.events.Severity.FATAL)).isEqualTo(10);
    }
}
