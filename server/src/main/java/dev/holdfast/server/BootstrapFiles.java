package dev.holdfast.server;

import dev.holdfast.server.http.ApiTokens;
import dev.holdfast.server.http.IssuedToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The files the server leaves in {@code <data-dir>/bootstrap/} for the people and tools that set it up
 * (operator contract, ARCHITECTURE.md):
 * <ul>
 *   <li>{@code admin.token}: the first admin API token, written on the first start only, mode 0600.
 *       It has full rights and is meant to be rotated ({@code holdfast token create}, then
 *       {@code holdfast token revoke}); it is never written again once any token exists.</li>
 *   <li>{@code trust-bundle.pem}: the roots that clients and devices must trust, mode 0644.</li>
 * </ul>
 * Both are written to a temporary file in the same directory and renamed over the target, so a reader
 * never sees half a file. The token file is created with mode 0600 from the start, so it is never
 * readable by others, not even for an instant.
 */
public final class BootstrapFiles {
    public static final String ADMIN_TOKEN = "admin.token";
    public static final String TRUST_BUNDLE = "trust-bundle.pem";

    private static final Logger log = LoggerFactory.getLogger(BootstrapFiles.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private BootstrapFiles() {
    }

    /**
     * On the first start (no API token was ever created) creates the bootstrap admin token and writes it
     * to {@code dir/admin.token}; otherwise does nothing. The file is written inside the transaction that
     * stores the token: a crash in between leaves no token in the store, so the next start tries again
     * and replaces the orphaned file.
     *
     * @return the token created, or empty when this was not the first start
     */
    public static Optional<IssuedToken> ensureAdminToken(Path dir, ApiTokens tokens) {
        if (tokens.anyCreated()) return Optional.empty();
        Path file = dir.resolve(ADMIN_TOKEN);
        if (Files.exists(file)) log.warn("{} exists but the store has no API token: replacing it", file);
        IssuedToken issued = tokens.create("bootstrap-admin", "system", Optional.empty(),
                t -> write(file, (t.plaintext() + "\n").getBytes(StandardCharsets.US_ASCII), OWNER_ONLY));
        log.info("first start: admin API token {} written to {} (full rights; rotate it with 'holdfast token create' and 'holdfast token revoke')",
                issued.token().id(), file);
        return Optional.of(issued);
    }

    /** Writes {@code roots} as PEM to {@code dir/trust-bundle.pem}, replacing what was there. */
    public static Path writeTrustBundle(Path dir, List<X509Certificate> roots) {
        StringBuilder pem = new StringBuilder();
        Base64.Encoder b64 = Base64.getMimeEncoder(64, new byte[]{'\n'});
        for (X509Certificate c : roots) {
            try {
                pem.append("# ").append(c.getSubjectX500Principal().getName()).append('\n')
                        .append("-----BEGIN CERTIFICATE-----\n").append(b64.encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("roots: " + c.getSubjectX500Principal() + " cannot be encoded", e);
            }
        }
        Path file = dir.resolve(TRUST_BUNDLE);
        write(file, pem.toString().getBytes(StandardCharsets.US_ASCII), WORLD_READABLE);
        return file;
    }

    /** Atomically replaces {@code target} with {@code content}; the file has {@code permissions} from its creation. */
    static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
            if (!posix) log.warn("{}: file system without POSIX permissions; restrict access to {} by other means", dir, target.getFileName());
            // createTempFile uses CREATE_NEW with the attributes, so the file never exists with wider permissions.
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attrs);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            if (posix) Files.setPosixFilePermissions(tmp, permissions); // the umask may have removed bits we want (0644)
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray temporary file is harmless and has the target's permissions
                }
            }
        }
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename durable on Linux; other systems may not allow opening a directory, which is fine.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
