package dev.holdfast.sensor.live;

import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.pcap.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * Live capture from an interface through libpcap (pcap4j) with an optional BPF filter, feeding a
 * {@link SensorAnalysis} on a thread of its own. Callers that read the analysis while it runs
 * synchronise on the analysis object, as {@link #run} does for each frame.
 *
 * <p>pcap4j copies each packet into a fresh array, so live capture allocates per packet; the
 * zero-allocation path is the file readers'. Debian ships libpcap as {@code libpcap.so.0.8}
 * only, so that name is set unless {@code org.pcap4j.core.pcapLibName} is already given.
 */
public final class LiveCapture implements AutoCloseable {
    private static final String LIB_PROPERTY = "org.pcap4j.core.pcapLibName";
    private static final Path DEBIAN_LIBPCAP = Path.of("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8");
    private static final long POLL_NANOS = 1_000_000;
    private final PcapHandle handle;
    private final AtomicBoolean stop = new AtomicBoolean();
    private long frames;

    private LiveCapture(PcapHandle handle) {
        this.handle = handle;
    }

    /** Opens {@code interfaceName} in promiscuous mode; {@code bpf} may be null or blank for everything. */
    public static LiveCapture open(String interfaceName, String bpf, int snapLength) throws CaptureOpenException {
        if (System.getProperty(LIB_PROPERTY) == null && Files.exists(DEBIAN_LIBPCAP)) System.setProperty(LIB_PROPERTY, DEBIAN_LIBPCAP.toString());
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(interfaceName);
            if (nif == null) throw new CaptureOpenException("interface " + interfaceName + " does not exist");
            PcapHandle h = new PcapHandle.Builder(interfaceName).snaplen(snapLength)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS).timeoutMillis(100).immediateMode(true).build();
            if (bpf != null && !bpf.isBlank()) {
                try {
                    h.setFilter(bpf, BpfProgram.BpfCompileMode.OPTIMIZE);
                } catch (PcapNativeException | NotOpenException e) {
                    h.close();
                    throw new CaptureOpenException("BPF filter '" + bpf + "' does not compile: " + e.getMessage());
                }
            }
            // pcap_next may block past its timeout on Linux when nothing arrives; poll instead so stop() is honoured
            h.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            return new LiveCapture(h);
        } catch (PcapNativeException | NotOpenException e) {
            throw new CaptureOpenException("cannot capture on " + interfaceName + ": " + e.getMessage());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CaptureOpenException("libpcap cannot be loaded (" + e.getMessage() + "); install libpcap0.8 or set -D" + LIB_PROPERTY);
        }
    }

    /** Captures until {@link #stop()} or {@code maxNanos} of wall time; returns the number of frames. */
    public long run(SensorAnalysis analysis, long maxNanos) {
        long deadline = System.nanoTime() + maxNanos;
        Frame frame = new Frame();
        int linkType = handle.getDlt().value();
        while (!stop.get() && System.nanoTime() - deadline < 0) {
            byte[] raw;
            Timestamp ts;
            try {
                raw = handle.getNextRawPacket();
                if (raw == null) { // nothing waiting: check stop and deadline, then poll again
                    java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
                    continue;
                }
                ts = handle.getTimestamp();
            } catch (NotOpenException e) {
                break;
            }
            frame.set(raw, 0, raw.length, handle.getOriginalLength(), ts.getTime() / 1000 * 1_000_000_000L + ts.getNanos(), linkType);
            frame.number = ++frames;
            synchronized (analysis) {
                analysis.process(frame);
            }
        }
        return frames;
    }

    public void stop() {
        stop.set(true);
    }

    @Override
    public void close() {
        stop();
        handle.close();
    }

    /** The capture could not start: no such interface, no permission, no libpcap, bad filter. */
    public static final class CaptureOpenException extends Exception {
        public CaptureOpenException(String message) {
            super(message);
        }
    }
}
