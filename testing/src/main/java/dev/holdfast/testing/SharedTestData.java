package dev.holdfast.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Public test material in {@code ../shared/testdata/} beside the checkout. It is read in place,
 * never copied into the project. Absent: the test fails under {@code CI=true} and skips elsewhere.
 */
public final class SharedTestData {
    private SharedTestData() {
    }

    public static Path dir(String sub) {
        String base = System.getenv("HOLDFAST_SHARED_DIR");
        Path root = base != null ? Path.of(base, "testdata") : Path.of("..", "..", "shared", "testdata");
        Path p = root.resolve(sub).normalize();
        if (!Files.isDirectory(p)) {
            String message = "shared test data not found at " + p.toAbsolutePath();
            if (ExternalTool.isCi()) throw new AssertionError("CI=true and " + message);
            Assumptions.abort(message);
        }
        return p;
    }
}
