package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    @Test
    void reference_matchesTheCheckedInDocs() throws IOException {
        Path docs = findDocs();
        String checkedIn = Files.readString(docs, StandardCharsets.UTF_8);
        assertThat(checkedIn)
                .as("%s is out of date with Settings.java; regenerate it with: %s", docs, ConfigReference.REGENERATE)
                .isEqualTo(ConfigReference.markdown());
    }

    @Test
    void reference_listsEveryKeyWithItsVariableTypeAndDefault() {
        String markdown = ConfigReference.markdown();
        for (Setting<?> setting : Settings.all()) {
            assertThat(markdown).contains("| `" + setting.key() + "` | `" + setting.envName() + "` | ");
        }
        assertThat(markdown)
                .contains("| `server.https.port` | `HOLDFAST_SERVER_HTTPS_PORT` | integer (TCP port), 0 to 65535 | `8443` | ")
                .contains("| `pki.ca.keyBackend` | `HOLDFAST_PKI_CA_KEY_BACKEND` | one of `pkcs12`, `pkcs11` | `pkcs12` | ")
                .contains("| `store.jdbcUrl` | `HOLDFAST_STORE_JDBC_URL` | string | none (optional) | ")
                .contains("| `server.publicHostname` | `HOLDFAST_SERVER_PUBLIC_HOSTNAME` | host name or IP address | this machine's host name | ")
                .contains("\n## server\n", "\n## store\n", "\n## pki\n", "\n## events\n");
    }

    @Test
    void reference_escapesTableCells() {
        Setting<String> setting = Setting.define("a.b", SettingType.STRING).optional().doc("Either x | y.").build();
        String markdown = ConfigReference.markdown(new Catalogue(List.of(setting), List.of(), Map.of("a", "Section a.")));
        assertThat(markdown).contains("\n## a\n\nSection a.\n\n", "| Either x \\| y. |\n");
    }

    /** The repository's docs/configuration.md, found from the module directory Maven runs tests in. */
    private static Path findDocs() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/configuration.md");
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new AssertionError("docs/configuration.md not found above " + Path.of("").toAbsolutePath()
                + "; generate it with: " + ConfigReference.REGENERATE);
    }
}
