package dev.holdfast.bench.sensor;

import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import dev.holdfast.sensor.pcap.Frame;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One frame through the whole sensor (decode, flow table, reassembly, every dissector, inventory
 * and detection), cycling over the shared captures' Ethernet frames plus generated Modbus and MQTT
 * traffic, re-addressed per lap. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the
 * steady-state allocation per packet. {@code -Dsensor.shared=DIR} points at the shared pcaps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class SensorPipelineBenchmark {
    private byte[][] frames;
    private SensorAnalysis analysis;
    private final Frame frame = new Frame();
    private int next;
    private int lap;
    private long number;
    private long ts = 1_700_000_000_000_000_000L;

    @Setup(Level.Trial)
    public void load() throws IOException {
        List<byte[]> all = CaptureMixer.frames(Path.of(System.getProperty("sensor.shared", "../shared/testdata/pcap")));
        frames = all.toArray(new byte[0][]);
        analysis = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(Duration.ofSeconds(1)), OuiTable.load());
    }

    @Benchmark
    public void process() {
        byte[] f = frames[next];
        if (++next == frames.length) {
            next = 0;
            lap++;
            // re-address in place for the next lap: new flows and assets keep arriving, as on a real network
            for (byte[] x : frames) CaptureMixer.readdress(x, (lap ^ (lap - 1)) & 0xFF);
        }
        ts += 20_000;
        frame.set(f, 0, f.length, f.length, ts, 1);
        frame.number = ++number;
        analysis.process(frame);
    }
}
