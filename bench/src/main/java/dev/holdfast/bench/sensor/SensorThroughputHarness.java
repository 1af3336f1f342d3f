package dev.holdfast.bench.sensor;

import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.Report;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import dev.holdfast.sensor.pcap.CaptureStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The sensor's throughput on one core with every dissector and the full analysis on, against the
 * raw read rate of the same file ({@code cat > /dev/null}) and {@code tshark -n -r} on a prefix
 * of it (tshark is far slower; the prefix keeps the run short and the rate comparable).
 *
 * <p>Usage: {@code java -cp ... SensorThroughputHarness SHARED_PCAP_DIR CAPTURE [SIZE_BYTES] [TSHARK_PREFIX_BYTES]}.
 */
public final class SensorThroughputHarness {
    private SensorThroughputHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args[0]);
        Path capture = Path.of(args[1]);
        long size = args.length > 2 ? Long.parseLong(args[2]) : (1L << 30) + (64L << 20);
        long prefix = args.length > 3 ? Long.parseLong(args[3]) : 128L << 20;
        if (!Files.exists(capture) || Files.size(capture) < size) CaptureMixer.build(shared, capture, size);
        long bytes = Files.size(capture);
        System.out.printf("capture %s: %.1f MiB%n", capture, bytes / 1048576.0);

        double catSeconds = time(List.of("sh", "-c", "cat '" + capture + "' > /dev/null"));
        System.out.printf("cat > /dev/null: %.2f s, %.2f Gbit/s%n", catSeconds, bytes * 8 / catSeconds / 1e9);

        for (int run = 1; run <= 3; run++) {
            SensorAnalysis analysis = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(Duration.ofSeconds(30)), OuiTable.load());
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
            CaptureStats s = analysis.analyze(capture);
            Report r = analysis.report();
            double sec = (System.nanoTime() - t0) / 1e9, cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            // per core = per CPU-second of the one analysing thread: the machine is shared, wall time overstates the cost
            System.out.printf("sensor run %d: %d frames, wall %.2f s, thread CPU %.2f s; per CPU-second %.0f packets/s, %.2f Gbit/s; wall %.2f Gbit/s; %d assets, %d alerts%n",
                    run, s.frames, sec, cpu, s.frames / cpu, bytes * 8 / cpu / 1e9, bytes * 8 / sec / 1e9, r.assets().size(), r.alerts().size());
        }

        Path head = capture.resolveSibling(capture.getFileName() + ".prefix.pcap");
        try (InputStream in = Files.newInputStream(capture); OutputStream out = Files.newOutputStream(head)) {
            in.transferTo(new LimitedOutput(out, prefix));
        }
        long headBytes = Files.size(head);
        double tsharkSeconds = time(List.of("sh", "-c", "tshark -n -r '" + head + "' > /dev/null 2>&1"));
        double tsharkCpu = childCpuSeconds();
        System.out.printf("tshark -n -r on the first %.1f MiB: wall %.2f s, %.3f Gbit/s; CPU (user+sys of children) %.2f s, %.3f Gbit/s per CPU-second%n",
                headBytes / 1048576.0, tsharkSeconds, headBytes * 8 / tsharkSeconds / 1e9, tsharkCpu, headBytes * 8 / tsharkCpu / 1e9);
        Files.deleteIfExists(head);
    }

    private static double lastChildCpu;

    /** CPU seconds of the last timed command, from bash's {@code times} (children's user + system). */
    private static double childCpuSeconds() {
        return lastChildCpu;
    }

    private static double time(List<String> cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        List<String> timed = List.of("bash", "-c", cmd.get(2) + "; times");
        Process p = new ProcessBuilder(timed).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(cmd + " exited " + p.exitValue() + ": " + out);
        // `times` prints the shell's then its children's "XmY.YYYs XmY.YYYs" (user, system)
        String[] lines = out.strip().split("\n");
        lastChildCpu = 0;
        for (String part : lines[lines.length - 1].trim().split("\\s+")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)m([\\d.]+)s").matcher(part);
            if (m.matches()) lastChildCpu += Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Copies at most a limit of bytes (a truncated last record is fine: the readers count it). */
    private static final class LimitedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        LimitedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left-- > 0) out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, Math.max(0, left));
            if (n > 0) out.write(b, off, n);
            left -= n;
        }
    }
}
