package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingTypeTest {

    /** What a parse produced: the value, or null, and each problem as {@code suffix: message}. */
    private record Outcome<T>(T value, List<String> problems) {
    }

    private static <T> Outcome<T> parse(SettingType<T> type, String text) {
        List<String> problems = new ArrayList<>();
        T value = type.parse(text, (suffix, message) -> problems.add(suffix + ": " + message));
        return new Outcome<>(value, problems);
    }

    private static <T> Outcome<T> parseSequence(SettingType<T> type, String... items) {
        List<String> problems = new ArrayList<>();
        T value = type.parseSequence(Arrays.asList(items), (suffix, message) -> problems.add(suffix + ": " + message));
        return new Outcome<>(value, problems);
    }

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "30s, PT30S",
            "5m, PT5M",
            "1h, PT1H",
            "2d, PT48H",
            "1h30m, PT1H30M",
            "0s, PT0S",
            "PT5M, PT5M",
            "pt5m, PT5M",
            "P7D, PT168H",
            "PT0.25S, PT0.25S",
    })
    void duration_acceptsIsoAndShortForms(String text, String iso) {
        Outcome<Duration> outcome = parse(SettingType.DURATION, text);
        assertThat(outcome.problems()).isEmpty();
        assertThat(outcome.value()).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "5 m", "5x", "1.5h", "m", "5M", "-5m", "P", "1h-5m"})
    void duration_refusesTextWithoutAUnit(String text) {
        Outcome<Duration> outcome = parse(SettingType.DURATION, text);
        assertThat(outcome.value()).isNull();
        assertThat(outcome.problems()).containsExactly(": " + Spelling.quote(text)
                + " is not a duration (expected: a number and a unit, ms, s, m, h or d, such as 30s or 7d, or ISO-8601 such as PT5M)");
    }

    @Test
    void duration_refusesNegativeIsoDurations() {
        assertThat(parse(SettingType.DURATION, "-PT5M").problems())
                .containsExactly(": \"-PT5M\" is negative (expected: a duration of zero or more)");
    }

    @Test
    void duration_explainsThatYearsAreNotDurations() {
        assertThat(parse(SettingType.DURATION, "P20Y").problems()).containsExactly(": \"P20Y\" is not a duration: years, "
                + "months and weeks have no fixed length (expected: days, such as 7300d or P7300D)");
    }

    @Test
    void duration_refusesValuesTooLongToRepresent() {
        assertThat(parse(SettingType.DURATION, "99999999999999999999d").problems())
                .containsExactly(": \"99999999999999999999d\" is too long for a duration");
        assertThat(parse(SettingType.DURATION, "200000000000d").problems())
                .containsExactly(": \"200000000000d\" is too long for a duration");
    }

    @ParameterizedTest
    @CsvSource({"PT0S, 0s", "PT0.5S, 500ms", "PT90S, 90s", "PT90M, 90m", "PT48H, 2d", "PT25H, 25h", "PT1.0005S, PT1.0005S"})
    void duration_formatsInTheLargestExactUnit(String iso, String formatted) {
        assertThat(SettingType.DURATION.format(Duration.parse(iso))).isEqualTo(formatted);
    }

    @Test
    void duration_formatsWhatItParses() {
        for (String text : List.of("500ms", "30s", "5m", "1h", "7d", "7300d")) {
            assertThat(SettingType.DURATION.format(parse(SettingType.DURATION, text).value())).isEqualTo(text);
        }
    }

    @Test
    void integer_acceptsDecimalDigitsWithSign() {
        assertThat(parse(SettingType.INTEGER, "8443").value()).isEqualTo(8443);
        assertThat(parse(SettingType.INTEGER, "-1").value()).isEqualTo(-1);
        assertThat(parse(SettingType.INTEGER, "+7").value()).isEqualTo(7);
        assertThat(parse(SettingType.LONG, "1740234567890").value()).isEqualTo(1740234567890L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x10", "8_443", "8443.0", "1e3", "eight", "84 43"})
    void integer_refusesAnythingButDecimalDigits(String text) {
        assertThat(parse(SettingType.INTEGER, text).problems()).containsExactly(": " + Spelling.quote(text) + " is not an integer");
    }

    @Test
    void integer_reportsOverflowAsOutOfRange() {
        assertThat(parse(SettingType.INTEGER, "2147483648").problems())
                .containsExactly(": 2147483648 is out of range for an integer");
        assertThat(parse(SettingType.LONG, "9223372036854775808").problems())
                .containsExactly(": 9223372036854775808 is out of range for an integer");
    }

    @Test
    void decimal_acceptsPlainDecimals() {
        assertThat(parse(SettingType.DECIMAL, "0.6667").value()).isEqualTo(0.6667);
        assertThat(parse(SettingType.DECIMAL, "1").value()).isEqualTo(1.0);
        assertThat(parse(SettingType.DECIMAL, ".5").value()).isEqualTo(0.5);
        assertThat(SettingType.DECIMAL.format(0.6667)).isEqualTo("0.6667");
        assertThat(SettingType.DECIMAL.format(1.0)).isEqualTo("1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", ".inf", "1e-3", "0x1p3", "2/3", "1,5"})
    void decimal_refusesExponentsInfinitiesAndNaN(String text) {
        assertThat(parse(SettingType.DECIMAL, text).problems())
                .containsExactly(": " + Spelling.quote(text) + " is not a decimal number");
    }

    @Test
    void boolean_acceptsOnlyTrueAndFalse() {
        assertThat(parse(SettingType.BOOLEAN, "true").value()).isTrue();
        assertThat(parse(SettingType.BOOLEAN, "FALSE").value()).isFalse();
        assertThat(parse(SettingType.BOOLEAN, "yes").problems())
                .containsExactly(": \"yes\" is not a boolean (expected: true or false)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"holdfast.example.com", "localhost", "my-host", "0.0.0.0", "127.0.0.1", "::", "::1",
            "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "xn--bcher-kva.example"})
    void host_acceptsDnsNamesAndIpLiterals(String text) {
        assertThat(parse(SettingType.HOST, text).problems()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"my_host", "-host.example", "host-.example", "host..example", "256.1.1.1", "1.2.3",
            "*.example.com", "[::1]", "gggg::1", "http://holdfast.example", "host.example.", "1:2:3:4:5:6:7:8:9"})
    void host_refusesWhatIsNeitherADnsNameNorAnAddress(String text) {
        assertThat(parse(SettingType.HOST, text).problems())
                .containsExactly(": " + Spelling.quote(text) + " is not a host name or IP address");
    }

    @Test
    void list_splitsCommaSeparatedText() {
        Outcome<List<String>> outcome = parse(SettingType.list(SettingType.HOST), "a.example, 10.0.0.5 ,,b.example,");
        assertThat(outcome.value()).containsExactly("a.example", "10.0.0.5", "b.example");
    }

    @Test
    void list_reportsEachBadElementWithItsIndex() {
        Outcome<List<String>> outcome = parseSequence(SettingType.list(SettingType.HOST), "ok.example", "bad_name", null, "also bad");
        assertThat(outcome.value()).isNull();
        assertThat(outcome.problems()).containsExactly(
                "[1]: \"bad_name\" is not a host name or IP address",
                "[2]: empty list element",
                "[3]: \"also bad\" is not a host name or IP address");
    }

    @Test
    void list_isImmutable() {
        List<String> value = parseSequence(SettingType.list(SettingType.STRING), "a", "b").value();
        assertThat(value).containsExactly("a", "b").isUnmodifiable();
    }

    @Test
    void scalar_refusesASequence() {
        assertThat(parseSequence(SettingType.INTEGER, "1", "2").problems()).containsExactly(": expected an integer, found a list");
    }

    @Test
    void enum_matchesIgnoringCaseAndListsAllowedValues() {
        SettingType<Settings.KeyBackend> type = SettingType.enumeration(Settings.KeyBackend.class, Settings.KeyBackend::toString);
        assertThat(type.allowedValues()).containsExactly("pkcs12", "pkcs11");
        assertThat(parse(type, "PKCS11").value()).isEqualTo(Settings.KeyBackend.PKCS11);
        assertThat(parse(type, "maybe").problems()).containsExactly(": \"maybe\" is not one of [pkcs12, pkcs11]");
        assertThat(type.format(Settings.KeyBackend.PKCS12)).isEqualTo("pkcs12");
    }

    @Test
    void secretFile_neverEchoesWhatItWasGiven() {
        List<String> problems = new ArrayList<>();
        SettingType.SECRET_FILE.validate(Path.of("hunter2"), (suffix, message) -> problems.add(message));
        assertThat(problems).containsExactly("the file does not exist or is not a regular file");
        assertThat(SettingType.SECRET_FILE.echo("hunter2")).isEqualTo("the value");
        assertThat(SettingType.SECRET_FILE.secret()).isTrue();
        assertThat(SettingType.PATH.secret()).isFalse();
    }

    @Test
    void file_namesTheMissingFile() {
        List<String> problems = new ArrayList<>();
        SettingType.FILE.validate(Path.of("/nonexistent/ca.pem"), (suffix, message) -> problems.add(message));
        assertThat(problems).containsExactly("/nonexistent/ca.pem does not exist or is not a regular file");
    }
}
