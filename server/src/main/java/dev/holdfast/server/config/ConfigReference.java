package dev.holdfast.server.config;

import java.util.List;
import java.util.Map;

/**
 * Generates the reference documentation of every setting, {@code docs/configuration.md}, from the
 * catalogue in {@link Settings}, so the documentation cannot drift from the code: a test compares the
 * checked-in file with {@link #markdown()}.
 *
 * <p>Regenerate with {@code ./holdfast config reference > docs/configuration.md}, or from a build tree
 * with {@code java -cp server/target/classes dev.holdfast.server.config.ConfigReference > docs/configuration.md}.
 */
public final class ConfigReference {
    static final String REGENERATE = "./holdfast config reference > docs/configuration.md";

    private ConfigReference() {
    }

    /** Prints the reference to standard output. */
    public static void main(String[] args) {
        System.out.print(markdown());
    }

    /** The reference documentation as Markdown, with {@code \n} line ends; the same text on every machine. */
    public static String markdown() {
        return markdown(Settings.catalogue());
    }

    static String markdown(Catalogue catalogue) {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n");
        out.append("<!-- Generated from server/src/main/java/dev/holdfast/server/config/Settings.java; do not edit.\n");
        out.append("     Regenerate with: ").append(REGENERATE).append(" -->\n\n");
        out.append("""
                Holdfast reads one YAML file, given with `holdfast server --config FILE`, and the environment.
                For each setting the first value found wins:

                1. its environment variable: `HOLDFAST_` and the key in upper snake case, so
                   `server.https.port` is `HOLDFAST_SERVER_HTTPS_PORT` and `pki.crl.refreshInterval` is
                   `HOLDFAST_PKI_CRL_REFRESH_INTERVAL`;
                2. the file;
                3. the default.

                An empty value (`key:` or `key: ~` in the file, `HOLDFAST_KEY=` in the environment) counts as
                not set. Keys may be nested, dotted, or both: these two files are the same.

                ```yaml
                server:
                  https:
                    port: 8443
                ```

                ```yaml
                server.https.port: 8443
                ```

                The server checks the whole configuration before it starts. When anything is wrong it refuses
                to start and lists every error, each with its key and where the value came from:

                ```
                invalid configuration (2 errors):
                  server.https.port: 70000 is above maximum 65535 [holdfast.yaml line 3]
                  pki.ca.keyBackend: "maybe" is not one of [pkcs12, pkcs11] [environment HOLDFAST_PKI_CA_KEY_BACKEND]
                ```

                A bad value in the file is an error even when an environment variable overrides it. Unknown
                keys in the file are errors too; unknown `HOLDFAST_*` environment variables are ignored, with a
                warning when they look like a misspelt setting.

                ## Value formats

                | type | how to write it |
                |---|---|
                | integer | decimal digits, such as `8443` |
                | decimal number | digits with an optional decimal point, such as `0.6667` |
                | boolean | `true` or `false` |
                | string | any text; quote it in YAML when it contains `:` or `#` |
                | duration | a number and a unit, `ms`, `s`, `m`, `h` or `d` (24 hours), which may be combined: `500ms`, `30s`, `5m`, `1h30m`, `7d`; or ISO-8601: `PT5M`, `P7D`. Years and months have no fixed length: write days, such as `7300d`. |
                | host name or IP address | a DNS name such as `holdfast.example.com`, or an IPv4 or IPv6 address; never looked up while loading |
                | path | a file system path; relative paths are relative to the server's working directory |
                | file | the path of a file that must exist and be readable when the server starts |
                | secret file | the path of a file holding a secret (password, PIN or passphrase), readable by the server's user only (mode 0600 or 0400). Secrets themselves are never configuration values; secret settings show as `****` in logs and output. |
                | list | a YAML sequence, or one string of comma-separated elements (the only form an environment variable can hold): `HOLDFAST_SERVER_TLS_SUBJECT_ALT_NAMES=holdfast.example.com,10.0.0.5` |
                | enum | one of the listed values, in any case |
                """);
        for (Map.Entry<String, List<Setting<?>>> section : catalogue.bySection().entrySet()) {
            out.append("\n## ").append(section.getKey()).append("\n\n");
            String sectionDoc = catalogue.sectionDocs().get(section.getKey());
            if (sectionDoc != null) out.append(sectionDoc).append("\n\n");
            out.append("| key | environment variable | type | default | description |\n");
            out.append("|---|---|---|---|---|\n");
            for (Setting<?> setting : section.getValue()) {
                out.append("| `").append(setting.key()).append("` | `").append(setting.envName()).append("` | ")
                        .append(cell(type(setting))).append(" | ").append(cell(defaultValue(setting))).append(" | ")
                        .append(cell(setting.doc())).append(" |\n");
            }
        }
        return out.toString();
    }

    private static <T> String type(Setting<T> setting) {
        SettingType<T> type = setting.type();
        StringBuilder out = new StringBuilder();
        if (type.allowedValues().isEmpty()) {
            out.append(type.name());
        } else {
            out.append("one of ");
            List<String> allowed = type.allowedValues();
            for (int i = 0; i < allowed.size(); i++) {
                if (i > 0) out.append(", ");
                out.append('`').append(allowed.get(i)).append('`');
            }
        }
        if (!setting.unit().isEmpty()) out.append(" (").append(setting.unit()).append(')');
        if (setting.min().isPresent() && setting.max().isPresent()) {
            out.append(", ").append(type.format(setting.min().get())).append(" to ").append(type.format(setting.max().get()));
        } else if (setting.min().isPresent()) {
            out.append(", at least ").append(type.format(setting.min().get()));
        } else if (setting.max().isPresent()) {
            out.append(", at most ").append(type.format(setting.max().get()));
        }
        return out.toString();
    }

    private static <T> String defaultValue(Setting<T> setting) {
        return switch (setting.presence()) {
            case FIXED_DEFAULT -> {
                String formatted = setting.type().format(setting.defaultValue().orElseThrow());
                yield formatted.isEmpty() ? "empty" : "`" + formatted + "`";
            }
            case COMPUTED_DEFAULT, OPTIONAL, REQUIRED -> setting.defaultDescription();
        };
    }

    /** Text for a table cell: a pipe would end the cell and a line break the row. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
