package dev.holdfast.server;

import dev.holdfast.server.http.ApiTokens;
import dev.holdfast.server.http.IssuedToken;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BootstrapFilesTest {
    @TempDir
    Path dir;

    private Database db;
    private ApiTokens tokens;

    @BeforeEach
    void open() {
        db = Database.open(StoreConfig.embedded(dir.resolve("data")));
        db.migrate("server");
        tokens = new ApiTokens(db, e -> {
        }, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void ensureAdminToken_writesAWorkingTokenReadableOnlyByTheOwner() throws Exception {
        Path bootstrap = dir.resolve("data/bootstrap");
        Optional<IssuedToken> issued = BootstrapFiles.ensureAdminToken(bootstrap, tokens);
        assertThat(issued).isPresent();
        Path file = bootstrap.resolve("admin.token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String content = Files.readString(file);
        assertThat(content).isEqualTo(issued.get().plaintext() + "\n");
        assertThat(tokens.verify(content.trim())).isPresent();
        try (var stray = Files.list(bootstrap)) {
            assertThat(stray).extracting(p -> p.getFileName().toString()).containsExactly("admin.token");
        }
    }

    @Test
    void ensureAdminToken_neverOverwritesOnLaterStarts() throws Exception {
        Path bootstrap = dir.resolve("data/bootstrap");
        BootstrapFiles.ensureAdminToken(bootstrap, tokens);
        Path file = bootstrap.resolve("admin.token");
        String first = Files.readString(file);
        FileTime written = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, written);

        assertThat(BootstrapFiles.ensureAdminToken(bootstrap, tokens)).isEmpty();
        assertThat(Files.readString(file)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(written);
        assertThat(tokens.list()).hasSize(1);

        // Deleting the file after rotation must not bring a new full-rights token back.
        Files.delete(file);
        assertThat(BootstrapFiles.ensureAdminToken(bootstrap, tokens)).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    void ensureAdminToken_replacesAFileLeftByAStartThatDidNotCommit() throws Exception {
        Path bootstrap = Files.createDirectories(dir.resolve("data/bootstrap"));
        Path file = bootstrap.resolve("admin.token");
        Files.writeString(file, "hf_stale\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IssuedToken issued = BootstrapFiles.ensureAdminToken(bootstrap, tokens).orElseThrow();
        assertThat(Files.readString(file).trim()).isEqualTo(issued.plaintext());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void writeTrustBundle_writesReadablePem() throws Exception {
        TestCertificates.Root a = TestCertificates.newRoot("Root A");
        TestCertificates.Root b = TestCertificates.newRoot("Root B");
        Path file = BootstrapFiles.writeTrustBundle(dir.resolve("bootstrap"), List.of(a.certificate(), b.certificate()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        try (InputStream in = Files.newInputStream(file)) {
            List<java.security.cert.Certificate> read = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            assertThat(read).containsExactly(a.certificate(), b.certificate());
        }
    }
}
