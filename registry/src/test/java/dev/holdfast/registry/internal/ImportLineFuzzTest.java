package dev.holdfast.registry.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.registry.DeviceJson;
import dev.holdfast.registry.RegistryRefusal;
import dev.holdfast.registry.RegistryRefusedException;
import dev.holdfast.store.Dialect;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes what a bulk import reads from an uploaded file: the line splitter and the preparation of a
 * line (JSON parse, the device rules, the limits, the row). Invariants: preparing a line returns a
 * blank, a prepared row or a refusal with a message, never an exception; a prepared line's device
 * exports back to a line that prepares to the same row; the line splitter returns every byte of the
 * input exactly once, with offsets that end at the input's length.
 */
class ImportLineFuzzTest {
    private static final DeviceImporter IMPORTER = new DeviceImporter(Dialect.SQLITE);
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    @FuzzTest(maxDuration = "30s")
    void prepare_returnsARowOrARefusal_neverThrows(byte[] line) {
        DeviceImporter.Item item = IMPORTER.prepare(7, line, line.length, NOW, NOW.toString());
        switch (item) {
            case null -> {
            }
            case DeviceImporter.Rejected r -> {
                assertThat(r.line()).isEqualTo(7);
                assertThat(r.message()).isNotBlank();
            }
            case DeviceImporter.Prepared p -> {
                assertThat(p.line()).isEqualTo(7);
                if (p.mode() == DeviceJson.ImportMode.DELETE) return;
                assertThat(p.row()).hasSize(DeviceRows.WIDTH);
                byte[] again = Json.write(DeviceJson.exportLine(new DeviceImporterRows(p).device())).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                DeviceImporter.Item back = IMPORTER.prepare(7, again, again.length, NOW, NOW.toString());
                assertThat(back).isInstanceOfSatisfying(DeviceImporter.Prepared.class, b -> assertThat(b.row()).isEqualTo(p.row()));
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void lineReader_returnsEveryByteOnce(byte[] input) throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream(input), 0, 64);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        long offset = 0;
        LineReader.Line l;
        while ((l = reader.next()) != null) {
            assertThat(l.endOffset()).isGreaterThan(offset).isLessThanOrEqualTo(input.length);
            if (!l.tooLong()) {
                // What the reader returned is the input between the offsets, minus the line end.
                int end = (int) l.endOffset();
                int contentEnd = end > 0 && input[end - 1] == '\n' ? end - 1 : end;
                if (contentEnd > offset && input[contentEnd - 1] == '\r') contentEnd--;
                assertThat(l.length()).isEqualTo(contentEnd - (int) offset);
                seen.write(l.bytes(), 0, l.length());
            } else {
                assertThat(l.endOffset() - offset).isGreaterThan(64);
            }
            offset = l.endOffset();
        }
        assertThat(offset).isEqualTo(input.length);
    }

    /** Turns a prepared row back into a device, as the registry would read it. */
    private record DeviceImporterRows(DeviceImporter.Prepared p) {
        dev.holdfast.registry.Device device() {
            try {
                return DeviceRows.read(new RowResultSet(p.row()).proxy());
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Just enough of a ResultSet to read one row by column name. */
    private record RowResultSet(Object[] row) {
        private static final java.util.List<String> NAMES = java.util.List.of(DeviceRows.COLUMNS.split(", "));

        java.sql.ResultSet proxy() {
            Object[] last = new Object[1];
            return (java.sql.ResultSet) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{java.sql.ResultSet.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getString" -> {
                            last[0] = row[NAMES.indexOf((String) args[0])];
                            yield last[0] == null ? null : String.valueOf(last[0]);
                        }
                        case "getLong" -> {
                            last[0] = row[NAMES.indexOf((String) args[0])];
                            yield last[0] == null ? 0L : ((Number) last[0]).longValue();
                        }
                        case "getDouble" -> {
                            last[0] = row[NAMES.indexOf((String) args[0])];
                            yield last[0] == null ? 0.0 : ((Number) last[0]).doubleValue();
                        }
                        case "wasNull" -> last[0] == null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    static {
        // A refusal is the only exception a line may cause: make sure the type is what the test catches.
        assertThat(RegistryRefusal.invalid("x", "y").exception()).isInstanceOf(RegistryRefusedException.class);
    }
}
