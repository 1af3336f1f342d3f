package dev.holdfast.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.Report;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import dev.holdfast.sensor.pcap.CaptureStats;
import dev.holdfast.testing.SharedTestData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shared capture, and truncated, corrupted and gzip-compressed variants of each, goes
 * through the whole analysis within a deadline, with no exception escaping and bad input counted.
 */
class CaptureRobustnessTest {
    @TempDir
    Path dir;

    static List<Path> captures() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String sub : List.of("pcap/ics", "pcap/net")) {
            try (Stream<Path> s = Files.list(SharedTestData.dir(sub))) {
                s.filter(p -> p.toString().matches(".*\\.pcap(ng)?$")).sorted().forEach(all::add);
            }
        }
        return all;
    }

    @Test
    void everySharedCapture_isAnalysedWithoutEscapingExceptions() throws IOException {
        SensorAnalysis a = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(Duration.ZERO), OuiTable.load());
        long frames = 0;
        for (Path p : captures()) {
            CaptureStats s = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> a.analyze(p), p.toString());
            assertThat(s.stopReason).as(p + " stop reason").isNull();
            frames += s.frames;
        }
        Report r = a.report();
        assertThat(frames).isGreaterThan(40_000);
        assertThat(r.assets()).isNotEmpty();
        assertThat(r.counters().get("decode.dissectorErrors")).as("dissectors never needed the safety net").isZero();
        assertThat(r.counters().keySet()).anyMatch(k -> k.startsWith("malformed."));
        assertThat(r.counters().get("decode.truncatedFrames") + r.counters().get("decode.badIpHeaders")).as("bad frames counted").isPositive();
    }

    @Test
    void truncatedCorruptedAndCompressedVariants_areCountedNeverThrown() throws IOException {
        Random random = new Random(42);
        int truncated = 0;
        for (Path p : captures()) {
            byte[] bytes = Files.readAllBytes(p);
            Path cut = dir.resolve("cut-" + p.getFileName());
            Files.write(cut, java.util.Arrays.copyOf(bytes, Math.max(30, bytes.length - 1 - random.nextInt(Math.max(1, Math.min(bytes.length - 30, 200))))));
            byte[] corrupt = bytes.clone();
            for (int i = 0; i < 1 + corrupt.length / 200; i++) corrupt[24 + random.nextInt(corrupt.length - 24)] = (byte) random.nextInt();
            Path bad = dir.resolve("bad-" + p.getFileName());
            Files.write(bad, corrupt);
            Path gz = dir.resolve(p.getFileName() + ".gz");
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
                o.write(bytes);
            }
            Path gzCut = dir.resolve("cut-" + p.getFileName() + ".gz");
            byte[] gzBytes = Files.readAllBytes(gz);
            Files.write(gzCut, java.util.Arrays.copyOf(gzBytes, Math.max(12, gzBytes.length / 2)));
            for (Path variant : List.of(cut, bad, gz, gzCut)) {
                SensorAnalysis a = new SensorAnalysis(SensorConfig.defaults(), OuiTable.load());
                CaptureStats s = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> a.analyze(variant), variant.toString());
                a.report();
                if (variant == cut || variant == gzCut) {
                    assertThat(s.truncated + s.malformedRecords).as(variant + " " + s).isPositive();
                    truncated++;
                }
            }
            SensorAnalysis plain = new SensorAnalysis(SensorConfig.defaults(), OuiTable.load());
            SensorAnalysis zipped = new SensorAnalysis(SensorConfig.defaults(), OuiTable.load());
            assertThat(zipped.analyze(gz).frames).as("gzip reads the same frames: " + p).isEqualTo(plain.analyze(p).frames);
        }
        assertThat(truncated).isGreaterThan(100);
    }
}
