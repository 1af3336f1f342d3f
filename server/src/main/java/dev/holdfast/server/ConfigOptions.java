package dev.holdfast.server;

import dev.holdfast.server.cli.CliFailure;
import dev.holdfast.server.config.ConfigError;
import dev.holdfast.server.config.ConfigException;
import dev.holdfast.server.config.ConfigLoader;
import dev.holdfast.server.config.HoldfastConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code --data-dir} and {@code --config}, shared by the commands that run on the server's machine. */
public final class ConfigOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./holdfast-data",
            description = "Data directory: the embedded database, CA keys, CRLs and bootstrap files (default: ${DEFAULT-VALUE}).")
    public Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file; HOLDFAST_* environment variables override it.")
    public Path config;

    /** Loads the configuration; every error is reported with its path and the command exits 2. */
    public HoldfastConfig load(Map<String, String> env) {
        try {
            HoldfastConfig c = config != null ? new ConfigLoader().load(config, env) : new ConfigLoader().load(env);
            for (String w : c.warnings()) LoggerFactory.getLogger(ConfigOptions.class).warn("configuration: {}", w);
            return c;
        } catch (ConfigException e) {
            throw CliFailure.usage("the configuration has " + e.errors().size() + " error(s):\n  "
                    + e.errors().stream().map(ConfigError::toString).collect(Collectors.joining("\n  ")));
        }
    }
}
