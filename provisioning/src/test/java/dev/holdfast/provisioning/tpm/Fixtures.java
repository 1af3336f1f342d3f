package dev.holdfast.provisioning.tpm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The real swtpm structures in {@code src/test/resources/tpm/swtpm/} (see the README there). */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] swtpm(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/tpm/swtpm/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture tpm/swtpm/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
