package dev.holdfast.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The server's data directory holds the database, the CA key store and the bootstrap token: it is
 * created readable by its owner only, and an existing one that others can read is reported.
 */
final class DataDirectory {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

    private DataDirectory() {
    }

    static void prepare(Path dir) {
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                return;
            }
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--data-dir: " + dir + " is not a directory");
            if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
                if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_EXECUTE)
                        || p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.GROUP_EXECUTE)) {
                    log.warn("data directory {} is accessible to other users ({}); it holds the CA key store and the database: chmod 700 it",
                            dir, PosixFilePermissions.toString(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare data directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
