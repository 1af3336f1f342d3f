package dev.holdfast.server.cli;

import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.Report;
import dev.holdfast.sensor.analysis.ReportWriter;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import dev.holdfast.sensor.pcap.CaptureStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code holdfast sensor analyze}: the passive sensor on capture files, fully offline. */
@Command(name = "sensor", description = "Passive network sensor: asset inventory, communication map and alerts from traffic.",
        subcommands = {SensorCommand.Analyze.class, SensorCommand.Run.class})
public final class SensorCommand {

    @Command(name = "analyze", description = "Analyse pcap/pcapng captures (optionally gzip-compressed); writes report.json and report.html.")
    static final class Analyze implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "CAPTURE", description = "capture files to analyse, in order")
        List<Path> captures;

        @Option(names = "--out", required = true, description = "directory for report.json and report.html")
        Path out;

        @Option(names = "--learn", paramLabel = "CAPTURE", description = "captures of normal traffic to learn the baseline from; "
                + "without them the first --learning-period of the analysed captures is the baseline")
        List<Path> learn = List.of();

        @Option(names = "--learning-period", defaultValue = "PT10M", description = "ISO-8601 duration of capture time to learn from (default ${DEFAULT-VALUE})")
        Duration learningPeriod;

        @Override
        public Integer call() throws Exception {
            SensorAnalysis analysis = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(learningPeriod), OuiTable.load());
            for (Path p : learn) print("learned", p, read(p, () -> analysis.learn(p)));
            for (Path p : captures) print("analysed", p, read(p, () -> analysis.analyze(p)));
            Report report = analysis.report();
            ReportWriter.write(report, out);
            System.out.println(report.assets().size() + " assets, " + report.conversations().size() + " conversations, "
                    + report.alerts().size() + " alerts; written to " + out.resolve("report.json") + " and " + out.resolve("report.html"));
            return 0;
        }

        interface Read {
            CaptureStats run() throws java.io.IOException;
        }

        /** A missing or unrecognisable file is the operator's mistake: one line and exit code 2. */
        private static CaptureStats read(Path p, Read r) {
            if (!java.nio.file.Files.isReadable(p)) throw CliFailure.usage("capture " + p + " does not exist or is not readable");
            try {
                return r.run();
            } catch (java.io.IOException e) {
                throw CliFailure.usage("capture " + p + " cannot be read: " + e.getMessage());
            }
        }

        private static void print(String verb, Path p, CaptureStats s) {
            System.out.println(verb + " " + p + ": " + s);
        }
    }

    @Command(name = "run", description = "Capture live from an interface (libpcap, needs root or CAP_NET_RAW) and write reports when done. "
            + "Streaming to a Holdfast server is not implemented yet.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--interface", required = true, description = "interface to capture on, e.g. eth1 (a SPAN or TAP port)")
        String interfaceName;

        @Option(names = "--filter", defaultValue = "", description = "BPF capture filter (default: everything)")
        String filter;

        @Option(names = "--duration", defaultValue = "PT24H", description = "how long to capture (ISO-8601, default ${DEFAULT-VALUE}); Ctrl-C ends earlier")
        Duration duration;

        @Option(names = "--learning-period", defaultValue = "PT10M", description = "capture time to learn the baseline from (default ${DEFAULT-VALUE})")
        Duration learningPeriod;

        @Option(names = "--out", required = true, description = "directory for report.json and report.html")
        Path out;

        @Override
        public Integer call() throws Exception {
            SensorAnalysis analysis = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(learningPeriod), OuiTable.load());
            dev.holdfast.sensor.live.LiveCapture capture;
            try {
                capture = dev.holdfast.sensor.live.LiveCapture.open(interfaceName, filter, 65_535);
            } catch (dev.holdfast.sensor.live.LiveCapture.CaptureOpenException e) {
                throw CliFailure.usage(e.getMessage());
            }
            Thread hook = new Thread(capture::stop, "sensor-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            long frames;
            try (capture) {
                frames = capture.run(analysis, duration.toNanos());
            }
            Report report;
            synchronized (analysis) {
                report = analysis.report();
            }
            ReportWriter.write(report, out);
            System.out.println(frames + " frames, " + report.assets().size() + " assets, " + report.alerts().size() + " alerts; written to " + out);
            return 0;
        }
    }
}
