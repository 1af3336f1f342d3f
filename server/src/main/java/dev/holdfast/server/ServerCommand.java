package dev.holdfast.server;

import dev.holdfast.server.cli.CliFailure;
import dev.holdfast.server.config.HoldfastConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code holdfast server --data-dir DIR [--config FILE]}: runs the server until it is stopped (SIGTERM, Ctrl-C). */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs the Holdfast server: the REST API, EST, OCSP and CRLs over HTTPS.",
                "On first start it creates the CA hierarchy and writes DIR/bootstrap/admin.token (mode 0600) and DIR/bootstrap/trust-bundle.pem.",
                "Every setting can come from the YAML file or a HOLDFAST_* environment variable; see docs/configuration.md."})
public final class ServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        HoldfastConfig config = options.load(env);
        HoldfastServer server;
        try {
            server = HoldfastServer.start(options.dataDir, config, env);
        } catch (RuntimeException e) {
            log.error("server did not start", e);
            throw CliFailure.refused("server did not start: " + e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "holdfast-shutdown"));
        server.awaitStop();
        return 0;
    }
}
