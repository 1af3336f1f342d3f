package dev.holdfast.bench.pki;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code openssl} command line tool, as the benchmark drives it: timed runs and CRL listings. */
final class OpensslTool {

    /** A finished run: exit code, wall time from start to exit, and the last of its output. */
    record Run(int exitCode, long nanos, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * What {@code openssl crl -text} lists: the number of entries, and a fingerprint of their
     * serial, revocation date and reason that does not depend on their order (openssl sorts the
     * entries by serial, we keep them in the order given).
     */
    record Listing(long entries, long fingerprint) {}

    private final String executable;

    OpensslTool(String executable) {
        this.executable = executable;
    }

    String version() throws IOException, InterruptedException {
        return run(null, "version").output().strip();
    }

    /** Runs openssl in {@code dir} and waits; the wall time covers process start to exit. */
    Run run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        long started = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        int exit = process.waitFor();
        long nanos = System.nanoTime() - started;
        String text = new String(output, StandardCharsets.UTF_8);
        return new Run(exit, nanos, text.length() > 4000 ? text.substring(text.length() - 4000) : text);
    }

    /** {@code openssl crl -verify -CAfile caPem}: whether openssl says "verify OK". */
    boolean verifies(Path crl, boolean der, Path caPem) throws IOException, InterruptedException {
        Run run = run(null, "crl", "-inform", der ? "DER" : "PEM", "-in", crl.toString(), "-noout", "-verify",
                "-CAfile", caPem.toString());
        return run.ok() && run.output().contains("verify OK");
    }

    /** Reads the entries out of {@code openssl crl -noout -text}, streaming its output. */
    Listing list(Path crl, boolean der) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(executable, "crl", "-inform", der ? "DER" : "PEM", "-in", crl.toString(),
                "-noout", "-text").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        long entries = 0;
        long fingerprint = 0;
        long entry = 0;
        boolean reasonNext = false;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                String field = line.strip();
                if (field.startsWith("Serial Number: ")) {
                    fingerprint += entries > 0 ? entry : 0;
                    entries++;
                    entry = fnv(FNV_OFFSET, field);
                } else if (entries > 0 && field.startsWith("Revocation Date: ")) {
                    entry = fnv(entry, field);
                } else if (entries > 0 && field.startsWith("X509v3 CRL Reason Code:")) {
                    reasonNext = true;
                } else if (reasonNext) {
                    entry = fnv(entry, field);
                    reasonNext = false;
                }
            }
        }
        fingerprint += entries > 0 ? entry : 0;
        if (process.waitFor() != 0) {
            throw new IOException("openssl crl -text " + crl + ": exit " + process.exitValue());
        }
        return new Listing(entries, fingerprint);
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;

    /** FNV-1a, 64 bits; a sum of these over the entries is independent of their order. */
    private static long fnv(long hash, String s) {
        for (int i = 0; i < s.length(); i++) {
            hash ^= s.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash ^ '|';
    }
}
