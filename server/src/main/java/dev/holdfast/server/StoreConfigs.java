package dev.holdfast.server;

import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.store.StoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The store's configuration from the settings catalogue. */
final class StoreConfigs {
    private StoreConfigs() {
    }

    static StoreConfig from(HoldfastConfig config, Path dataDir) {
        try {
            return new StoreConfig(dataDir, config.find(Settings.STORE_JDBC_URL), config.find(Settings.STORE_USERNAME),
                    config.readSecret(Settings.STORE_PASSWORD_FILE).map(String::new), config.find(Settings.STORE_SCHEMA),
                    config.get(Settings.STORE_POOL_SIZE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read store.passwordFile: " + e.getMessage(), e);
        }
    }
}
