package dev.holdfast.server.cli;

import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;

/**
 * The options every admin verb shares ({@code holdfast <noun> <verb>}); mix into a command with
 * {@code @Mixin AdminOptions admin;} and call {@link #client()}.
 */
public final class AdminOptions {
    @Option(names = "--server", paramLabel = "URL", defaultValue = "https://localhost:8443",
            description = "Base URL of the Holdfast server (default: ${DEFAULT-VALUE}).")
    URI server;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./holdfast-data",
            description = "The server's data directory, for DIR/bootstrap/admin.token and DIR/bootstrap/trust-bundle.pem (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM file of the roots to trust for the server's certificate (default: DIR/bootstrap/trust-bundle.pem).")
    Path caFile;

    /** A client for the server these options name; the token comes from HOLDFAST_TOKEN or the bootstrap file. */
    public AdminClient client() {
        return AdminClient.connect(server, dataDir, caFile, System.getenv());
    }
}
