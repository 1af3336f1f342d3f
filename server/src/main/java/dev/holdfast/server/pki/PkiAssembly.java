package dev.holdfast.server.pki;

import dev.holdfast.events.EventSink;
import dev.holdfast.pki.KeyAlgorithm;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.internal.Pkcs11KeyBackend;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.pki.spi.KeyBackend;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the PKI from configuration: the key backend (PKCS#12 file or PKCS#11 token), the settings,
 * the manufacturer CAs trusted for EST. Shared by {@code holdfast server} and {@code holdfast ca init}.
 */
public final class PkiAssembly {
    private static final Logger log = LoggerFactory.getLogger(PkiAssembly.class);
    static final String GENERATED_PASSPHRASE = "secrets/ca.passphrase";

    private PkiAssembly() {
    }

    public static Pki open(HoldfastConfig config, Path dataDir, Database db, EventSink events, Map<String, String> env) {
        return Pki.open(db, keyBackend(config, dataDir, env), settings(config), events, dataDir,
                manufacturerCas(config), Clock.systemUTC());
    }

    /** The base URL written into certificates: {@code https://<publicHostname>:<port>}. */
    public static URI publicBaseUrl(HoldfastConfig config) {
        String host = config.get(Settings.SERVER_PUBLIC_HOSTNAME);
        int port = config.get(Settings.SERVER_HTTPS_PORT);
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("https://" + h + (port == 443 || port == 0 ? "" : ":" + port));
    }

    public static PkiSettings settings(HoldfastConfig config) {
        Map<Profile, java.time.Duration> max = new EnumMap<>(Profile.class);
        max.put(Profile.DEVICE, config.get(Settings.PKI_PROFILES_DEVICE_MAX_VALIDITY));
        max.put(Profile.GATEWAY, config.get(Settings.PKI_PROFILES_GATEWAY_MAX_VALIDITY));
        max.put(Profile.SERVER, config.get(Settings.PKI_PROFILES_SERVER_MAX_VALIDITY));
        max.put(Profile.SENSOR, config.get(Settings.PKI_PROFILES_SENSOR_MAX_VALIDITY));
        max.put(Profile.OCSP_RESPONDER, config.get(Settings.PKI_PROFILES_OCSP_RESPONDER_MAX_VALIDITY));
        return new PkiSettings(publicBaseUrl(config), "Holdfast",
                KeyAlgorithm.valueOf(config.get(Settings.PKI_CA_KEY_ALGORITHM).name()),
                config.get(Settings.PKI_CA_ROOT_VALIDITY), config.get(Settings.PKI_CA_ISSUING_VALIDITY), max,
                config.get(Settings.PKI_CRL_VALIDITY), config.get(Settings.PKI_CRL_REFRESH_INTERVAL),
                config.get(Settings.PKI_OCSP_RESPONSE_VALIDITY), config.get(Settings.PKI_EXPIRY_WARNING_WINDOW),
                config.get(Settings.PKI_EST_RENEWAL_WINDOW));
    }

    /**
     * The CA key store. PKCS#12: the passphrase comes from {@code pki.ca.passphraseFile}, else from
     * the environment variable {@value Settings#CA_PASSPHRASE_ENV}, else from a file generated under
     * the data directory on first use (mode 0600) — convenient for a first start, and logged as a
     * warning so operators move it off the machine.
     */
    public static KeyBackend keyBackend(HoldfastConfig config, Path dataDir, Map<String, String> env) {
        return switch (config.get(Settings.PKI_CA_KEY_BACKEND)) {
            case PKCS12 -> new Pkcs12KeyBackend(dataDir.resolve("pki").resolve("ca-keys.p12"), passphrase(config, dataDir, env));
            case PKCS11 -> new Pkcs11KeyBackend(config.get(Settings.PKI_CA_PKCS11_LIBRARY),
                    config.find(Settings.PKI_CA_PKCS11_SLOT).orElse(-1L),
                    config.get(Settings.PKI_CA_PKCS11_SLOT_LIST_INDEX),
                    secret(config, Settings.PKI_CA_PKCS11_PIN_FILE).orElseThrow());
        };
    }

    private static char[] passphrase(HoldfastConfig config, Path dataDir, Map<String, String> env) {
        var fromFile = secret(config, Settings.PKI_CA_PASSPHRASE_FILE);
        if (fromFile.isPresent()) return fromFile.get();
        String fromEnv = env.get(Settings.CA_PASSPHRASE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) return fromEnv.toCharArray();
        Path generated = dataDir.resolve(GENERATED_PASSPHRASE);
        try {
            if (!Files.exists(generated)) {
                Files.createDirectories(generated.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                byte[] raw = new byte[32];
                new SecureRandom().nextBytes(raw);
                Files.createFile(generated, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(generated, Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
                log.warn("generated the CA key store passphrase in {} (mode 0600); for production keep it elsewhere and set "
                        + "pki.ca.passphraseFile or {}", generated, Settings.CA_PASSPHRASE_ENV);
            }
            return Files.readString(generated, StandardCharsets.US_ASCII).strip().toCharArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the CA passphrase file " + generated + ": " + e.getMessage(), e);
        }
    }

    private static java.util.Optional<char[]> secret(HoldfastConfig config, dev.holdfast.server.config.Setting<Path> setting) {
        try {
            return config.readSecret(setting);
        } catch (IOException e) {
            throw new IllegalStateException(setting.key() + ": cannot read the secret file: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> manufacturerCas(HoldfastConfig config) {
        List<X509Certificate> out = new ArrayList<>();
        for (Path p : config.get(Settings.PKI_EST_TRUSTED_MANUFACTURER_CAS)) out.addAll(readPem(p));
        return out;
    }

    public static List<X509Certificate> readPem(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            List<X509Certificate> certs = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) certs.add((X509Certificate) c);
            if (certs.isEmpty()) throw new IllegalArgumentException(p + ": no certificate found (expected PEM)");
            return certs;
        } catch (IOException | java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(p + ": not a PEM certificate file (" + e.getMessage() + ")", e);
        }
    }
}
