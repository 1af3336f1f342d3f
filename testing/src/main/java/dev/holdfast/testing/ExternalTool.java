package dev.holdfast.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Real external tools that integration tests drive ({@code openssl}, {@code curl}, {@code softhsm2-util} ...).
 *
 * <p>A missing tool fails the test when {@code CI=true}, because a skipped check must never be
 * reported as a pass there; on a developer machine it skips the test with a message that says what
 * to install ({@code .ci/install-packages} installs everything).
 */
public final class ExternalTool {
    private ExternalTool() {
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The absolute path of {@code name}, found on PATH or at one of {@code extraLocations}. */
    public static Path require(String name, String... extraLocations) {
        Optional<Path> found = find(name, extraLocations);
        if (found.isPresent()) return found.get();
        String message = name + " is not installed (run .ci/install-packages)";
        if (isCi()) throw new AssertionError("CI=true and a required tool is missing: " + message);
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    public static Optional<Path> find(String name, String... extraLocations) {
        for (String loc : extraLocations) {
            Path p = Path.of(loc);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        for (String dir : new String[]{"/usr/sbin", "/sbin", "/usr/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
