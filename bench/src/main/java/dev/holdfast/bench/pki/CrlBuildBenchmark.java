package dev.holdfast.bench.pki;

import dev.holdfast.pki.internal.crl.RevokedEntries;
import dev.holdfast.pki.internal.crl.StreamingCrlWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;

/**
 * Builds a CRL of a million revoked certificates with {@link StreamingCrlWriter} and with
 * {@code openssl ca -gencrl} from the same revocations and the same EC P-256 key, times both,
 * measures our heap, and checks with openssl that both CRLs verify and list the same entries.
 *
 * <pre>
 * ./mvnw -B -q -pl bench -am package -DskipTests
 * $JAVA_HOME/bin/java -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *     dev.holdfast.bench.pki.CrlBuildBenchmark [entries] [--keep]
 * </pre>
 *
 * <p>What is timed. openssl: the whole {@code openssl ca -gencrl} process, which reads its
 * {@code index.txt}, builds and sorts the entries, signs, and writes PEM (it has no DER output);
 * best of two. Ours: {@code write} from a filled {@link RevokedEntries} to a DER file, signer
 * creation included; best of seven after three warm-up runs. A second figure for ours adds parsing
 * the same {@code index.txt} into a {@link RevokedEntries}, the like-for-like comparison with
 * openssl's process. Files go to a temporary directory on the default file system, deleted at the
 * end unless {@code --keep}.
 *
 * <p>What is measured of memory. The bytes the writing thread allocates during one write
 * (HotSpot's per-thread counter), the heap in use before and at its peak during one write (heap
 * memory pools, peak usage reset after a full GC), and a run in a child JVM whose {@code -Xmx} leaves
 * room for half the CRL beside the entries: it only completes if the writer never holds the CRL
 * whole. The table says whether that heap was in fact below what holding the CRL would need.
 */
public final class CrlBuildBenchmark {

    private static final long SEED = 5280;
    private static final BigInteger CRL_NUMBER = BigInteger.valueOf(42);
    private static final Duration VALIDITY = Duration.ofDays(7);
    private static final int WARMUP_RUNS = 3;
    private static final int MEASURED_RUNS = 7;
    private static final int OPENSSL_RUNS = 2;
    private static final String HEAP_CHECK = "--heap-check";
    /** A JVM with BouncyCastle loaded needs about this much before it writes anything. */
    private static final long MIN_CHILD_HEAP_MIB = 24;

    private CrlBuildBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(HEAP_CHECK)) {
            heapCheckChild(Integer.parseInt(args[1]), Path.of(args[2]));
            return;
        }
        int count = 1_000_000;
        boolean keep = false;
        for (String arg : args) {
            if (arg.equals("--keep")) {
                keep = true;
            } else {
                count = Integer.parseInt(arg.replace("_", "").replace(",", ""));
            }
        }
        Path work = Files.createTempDirectory("holdfast-crl-bench-");
        try {
            run(count, work);
        } finally {
            if (keep) {
                System.out.println("files kept in " + work);
            } else {
                deleteTree(work);
            }
        }
    }

    private static void run(int count, Path work) throws Exception {
        OpensslTool openssl = new OpensslTool("openssl");
        System.out.printf(Locale.ROOT, "CRL build benchmark: %,d revoked entries, work directory %s%n", count, work);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + mib(Runtime.getRuntime().maxMemory()) + ", " + openssl.version());
        System.out.println("load average at start: " + loadAverage());

        BenchCa ca = BenchCa.create();
        ca.writePem(work);
        Path caPem = work.resolve("ca.pem");
        Path index = work.resolve("index.txt");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        RevokedEntries entries;
        try (BufferedWriter writer = RevocationSet.openIndex(index)) {
            entries = RevocationSet.generate(count, SEED, now, writer);
        }
        System.out.printf(Locale.ROOT, "generated: %,d entries, %s in RevokedEntries, index.txt %s%n",
                entries.size(), mib(entries.heapBytes()), mib(Files.size(index)));

        // openssl ca -gencrl, and the same with an empty database for its fixed cost.
        Path config = writeOpensslConfig(work, "openssl.cnf", "index.txt");
        Files.writeString(work.resolve("index-empty.txt"), "");
        Path emptyConfig = writeOpensslConfig(work, "openssl-empty.cnf", "index-empty.txt");
        Path opensslPem = work.resolve("openssl-crl.pem");
        long opensslBest = Long.MAX_VALUE;
        for (int i = 0; i < OPENSSL_RUNS; i++) {
            OpensslTool.Run run = gencrl(openssl, work, config, opensslPem);
            System.out.printf(Locale.ROOT, "openssl ca -gencrl run %d: %s%n", i + 1, ms(run.nanos()));
            opensslBest = Math.min(opensslBest, run.nanos());
        }
        long opensslEmptyBest = Long.MAX_VALUE;
        for (int i = 0; i < OPENSSL_RUNS; i++) {
            opensslEmptyBest = Math.min(opensslEmptyBest, gencrl(openssl, work, emptyConfig, work.resolve("empty.pem")).nanos());
        }

        // Ours.
        StreamingCrlWriter writer = StreamingCrlWriter.forIssuer(ca.certificate());
        Path ours = work.resolve("holdfast-crl.der");
        for (int i = 0; i < WARMUP_RUNS; i++) {
            writeCrl(writer, entries, ca, ours);
        }
        long[] nanos = new long[MEASURED_RUNS];
        for (int i = 0; i < MEASURED_RUNS; i++) {
            long started = System.nanoTime();
            writeCrl(writer, entries, ca, ours);
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "holdfast write runs: %s%n", Arrays.stream(nanos).mapToObj(CrlBuildBenchmark::ms).toList());
        long oursBest = nanos[0];
        long oursMedian = nanos[MEASURED_RUNS / 2];
        long oursBytes = Files.size(ours);

        // Where our time goes: encoding alone (a signer that ignores its input, no output), then
        // with hashing and signing, against the full write to a file above.
        ContentSigner real = ca.signer();
        ContentSigner encodeOnly = new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return real.getAlgorithmIdentifier();
            }

            @Override
            public OutputStream getOutputStream() {
                return OutputStream.nullOutputStream();
            }

            @Override
            public byte[] getSignature() {
                return new byte[72];
            }
        };
        long encodeBest = Long.MAX_VALUE;
        long signBest = Long.MAX_VALUE;
        for (int i = 0; i < MEASURED_RUNS; i++) {
            Instant thisUpdate = Instant.now();
            long started = System.nanoTime();
            writer.write(entries, CRL_NUMBER, thisUpdate, thisUpdate.plus(VALIDITY), encodeOnly, OutputStream.nullOutputStream());
            long encoded = System.nanoTime();
            writer.write(entries, CRL_NUMBER, thisUpdate, thisUpdate.plus(VALIDITY), ca.signer(), OutputStream.nullOutputStream());
            long signed = System.nanoTime();
            encodeBest = Math.min(encodeBest, encoded - started);
            signBest = Math.min(signBest, signed - encoded);
        }

        // Like for like with openssl's process: parse index.txt, then write.
        long loadAndWriteBest = Long.MAX_VALUE;
        long loadBest = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            RevokedEntries loaded = RevocationSet.load(index, count);
            long loadedAt = System.nanoTime();
            writeCrl(writer, loaded, ca, work.resolve("holdfast-from-index.der"));
            long done = System.nanoTime();
            loadBest = Math.min(loadBest, loadedAt - started);
            loadAndWriteBest = Math.min(loadAndWriteBest, done - started);
        }

        // Memory of one write.
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        long heapBefore = heapPools.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        writeCrl(writer, entries, ca, ours);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        long heapPeak = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();

        // A child JVM with room for what this one holds before writing plus half the CRL.
        long childHeap = Math.max(MIN_CHILD_HEAP_MIB, roundUpToMib(heapBefore + oursBytes / 2));
        HeapCheck heapCheck = heapCheck(count, childHeap, work.resolve("holdfast-small-heap.der"));

        // Both CRLs verify and list the same entries.
        boolean oursVerifies = openssl.verifies(ours, true, caPem);
        boolean opensslVerifies = openssl.verifies(opensslPem, false, caPem);
        Path opensslDer = work.resolve("openssl-crl.der");
        openssl.run(work, "crl", "-in", opensslPem.toString(), "-outform", "DER", "-out", opensslDer.toString());
        OpensslTool.Listing oursListed = openssl.list(ours, true);
        OpensslTool.Listing opensslListed = openssl.list(opensslPem, false);
        boolean sameEntries = oursListed.equals(opensslListed) && oursListed.entries() == count;

        String ratio = String.format(Locale.ROOT, "%.3f", oursBest / (double) opensslBest);
        System.out.println();
        System.out.printf(Locale.ROOT, "| CRL, %,d entries, EC P-256 SHA256withECDSA | holdfast StreamingCrlWriter | openssl ca -gencrl |%n", count);
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| build time, best | %s (median %s of %d, after %d warm-up) | %s (best of %d) |%n",
                ms(oursBest), ms(oursMedian), MEASURED_RUNS, WARMUP_RUNS, ms(opensslBest), OPENSSL_RUNS);
        System.out.printf(Locale.ROOT, "| ratio holdfast / openssl | **%s** | 1 |%n", ratio);
        System.out.printf(Locale.ROOT, "| breakdown: encode both passes / + hash and sign / + write the file | %s / %s / %s | |%n",
                ms(encodeBest), ms(signBest), ms(oursBest));
        System.out.printf(Locale.ROOT, "| including parsing index.txt | %s (parse %s + write) | (included above) |%n",
                ms(loadAndWriteBest), ms(loadBest));
        System.out.printf(Locale.ROOT, "| same with an empty database | | %s (process start, key load, sign) |%n",
                ms(opensslEmptyBest));
        System.out.printf(Locale.ROOT, "| CRL size | %,d bytes DER | %,d bytes DER (%,d PEM as written) |%n",
                oursBytes, Files.size(opensslDer), Files.size(opensslPem));
        System.out.printf(Locale.ROOT, "| allocated by one write | %s | |%n", mib(allocated));
        System.out.printf(Locale.ROOT, "| heap in use before write / peak during write | %s / %s (entries: %s) | |%n",
                mib(heapBefore), mib(heapPeak), mib(entries.heapBytes()));
        long holdingWhole = heapCheck.heapBefore() + oursBytes;
        System.out.printf(Locale.ROOT, "| child JVM -Xmx%dm; holding the CRL whole would need %s | %s | |%n", childHeap,
                !heapCheck.ok() ? "?" : mib(holdingWhole) + (holdingWhole > childHeap << 20 ? "" : " (no proof at this size)"),
                heapCheck.describe());
        System.out.printf(Locale.ROOT, "| openssl crl -verify | %s | %s |%n", oursVerifies ? "verify OK" : "FAILED",
                opensslVerifies ? "verify OK" : "FAILED");
        System.out.printf(Locale.ROOT, "| entries listed by openssl crl -text | %,d (fingerprint %016x) | %,d (fingerprint %016x) |%n",
                oursListed.entries(), oursListed.fingerprint(), opensslListed.entries(), opensslListed.fingerprint());
        System.out.println();
        System.out.println("load average at end: " + loadAverage());
        boolean ok = oursVerifies && opensslVerifies && sameEntries && heapCheck.ok();
        System.out.println(ok ? "RESULT: OK, ratio " + ratio : "RESULT: FAILED (see table)");
        if (!ok) {
            System.exit(1);
        }
    }

    private static long writeCrl(StreamingCrlWriter writer, RevokedEntries entries, BenchCa ca, Path file)
            throws Exception {
        Instant thisUpdate = Instant.now();
        try (OutputStream out = Files.newOutputStream(file)) {
            return writer.write(entries, CRL_NUMBER, thisUpdate, thisUpdate.plus(VALIDITY), ca.signer(), out);
        }
    }

    private static OpensslTool.Run gencrl(OpensslTool openssl, Path work, Path config, Path out) throws Exception {
        Files.writeString(work.resolve("crlnumber"), CRL_NUMBER.toString(16) + "\n");
        OpensslTool.Run run = openssl.run(work, "ca", "-gencrl", "-config", config.toString(), "-out", out.toString());
        if (!run.ok()) {
            throw new IllegalStateException("openssl ca -gencrl failed, exit " + run.exitCode() + ":\n" + run.output());
        }
        return run;
    }

    private static Path writeOpensslConfig(Path work, String name, String database) throws IOException {
        String config = """
                # Written by CrlBuildBenchmark: an openssl ca that only generates CRLs.
                [ ca ]
                default_ca = bench_ca

                [ bench_ca ]
                dir              = %s
                database         = $dir/%s
                crlnumber        = $dir/crlnumber
                certificate      = $dir/ca.pem
                private_key      = $dir/ca.key
                default_md       = sha256
                default_crl_days = %d
                crl_extensions   = crl_ext
                # Every benchmark row has the same subject; openssl's default would refuse that.
                unique_subject   = no

                [ crl_ext ]
                authorityKeyIdentifier = keyid:always
                """.formatted(work, database, VALIDITY.toDays());
        Path path = work.resolve(name);
        Files.writeString(path, config, StandardCharsets.US_ASCII);
        return path;
    }

    /** The outcome of the child JVM: whether it wrote the CRL, and the heap figures it saw. */
    private record HeapCheck(boolean ok, long heapBefore, long heapPeak, long written, String failure) {
        String describe() {
            return ok
                    ? String.format(Locale.ROOT, "wrote it (%,d bytes), heap %s before, %s peak", written, mib(heapBefore),
                            mib(heapPeak))
                    : "FAILED: " + failure;
        }
    }

    private static HeapCheck heapCheck(int count, long heapMib, Path out) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = new ProcessBuilder(java, "-Xmx" + heapMib + "m", "-cp", System.getProperty("java.class.path"),
                CrlBuildBenchmark.class.getName(), HEAP_CHECK, Integer.toString(count), out.toString())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int exit = process.waitFor();
        String last = output.lines().reduce((a, b) -> b).orElse("");
        if (exit != 0 || !last.startsWith(HEAP_CHECK + " ")) {
            return new HeapCheck(false, 0, 0, 0, "exit " + exit + ", " + last);
        }
        String[] figures = last.split(" ");
        return new HeapCheck(true, Long.parseLong(figures[1]), Long.parseLong(figures[2]), Long.parseLong(figures[3]), "");
    }

    private static void heapCheckChild(int count, Path out) throws Exception {
        BenchCa ca = BenchCa.create();
        RevokedEntries entries = RevocationSet.generate(count, SEED, Instant.now(), null);
        StreamingCrlWriter writer = StreamingCrlWriter.forIssuer(ca.certificate());
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        long before = heapPools.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        long written = writeCrl(writer, entries, ca, out);
        long peak = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        System.out.println(HEAP_CHECK + " " + before + " " + peak + " " + written);
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).strip()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** Other work on the machine skews wall times; the figures are only as good as this is low. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long roundUpToMib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%,d ms", Math.round(nanos / 1e6));
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(paths::add);
        }
        paths.sort(Comparator.reverseOrder());
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
