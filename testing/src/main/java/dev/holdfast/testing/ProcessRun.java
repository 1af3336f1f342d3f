package dev.holdfast.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command with a deadline and captures its output; for tests and benchmarks. */
public record ProcessRun(int exitCode, String stdout, String stderr) {

    public static ProcessRun run(Path workDir, List<String> command) {
        return run(workDir, command, Map.of(), null, 120);
    }

    public static ProcessRun run(Path workDir, List<String> command, Map<String, String> env, byte[] stdin, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
            if (workDir != null) pb.directory(workDir.toFile());
            pb.environment().putAll(env);
            Path out = java.nio.file.Files.createTempFile("proc", ".out");
            Path err = java.nio.file.Files.createTempFile("proc", ".err");
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (stdin != null) {
                try (var os = p.getOutputStream()) {
                    os.write(stdin);
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            String so = java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
            String se = java.nio.file.Files.readString(err, StandardCharsets.UTF_8);
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(err);
            return new ProcessRun(p.exitValue(), so, se);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /** Fails with the command's output when it did not exit 0. */
    public ProcessRun assertSuccess(String what) {
        if (exitCode != 0) throw new AssertionError(what + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
        return this;
    }

    public String output() {
        return stdout + stderr;
    }
}
