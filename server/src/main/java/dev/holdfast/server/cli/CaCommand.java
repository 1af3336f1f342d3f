package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.server.ConfigOptions;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.pki.PkiAssembly;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code holdfast ca init|show|list|issue|revoke|crl|token}. {@code init} works on the server's data
 * directory directly (it creates what the server needs); every other verb calls the REST API.
 */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "The certificate authority: create it, issue, revoke, publish CRLs.",
        subcommands = {CaCommand.Init.class, CaCommand.Show.class, CaCommand.ListCerts.class, CaCommand.Issue.class,
                CaCommand.Revoke.class, CaCommand.Crl.class, CaCommand.Token.class, ManufacturerCaCommands.Upload.class,
                ManufacturerCaCommands.Verify.class})
public final class CaCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: init, show, list, issue, revoke, crl or token");
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Creates the root and the issuing CAs (devices, infrastructure) in the data directory, if they do not exist.",
                    "With --external-root: creates only the issuing CAs' keys and writes their CSRs for an offline root to sign;",
                    "then --import-root ROOT.pem --import devices=FILE --import infrastructure=FILE brings the signed certificates in."})
    static final class Init implements Runnable {
        @Mixin
        ConfigOptions options;

        @Option(names = "--external-root", description = "Keep the root offline: write CSRs for the issuing CAs instead of creating a root.")
        boolean externalRoot;

        @Option(names = "--out", paramLabel = "DIR", description = "Where --external-root writes the CSRs (default: DIR/pki/requests).")
        Path out;

        @Option(names = "--import-root", paramLabel = "FILE", description = "PEM of the external root that signed the issuing CAs.")
        Path importRoot;

        @Option(names = "--import", paramLabel = "NAME=FILE", description = "A signed issuing CA certificate (PEM): devices=FILE, infrastructure=FILE.")
        Map<String, Path> imports = new LinkedHashMap<>();

        @Override
        public void run() {
            Map<String, String> env = System.getenv();
            HoldfastConfig config = options.load(env);
            StoreConfig store = new StoreConfig(options.dataDir, config.find(dev.holdfast.server.config.Settings.STORE_JDBC_URL),
                    config.find(dev.holdfast.server.config.Settings.STORE_USERNAME), java.util.Optional.empty(),
                    config.find(dev.holdfast.server.config.Settings.STORE_SCHEMA), 2);
            try (Database db = Database.open(store); JdbcEventLog events = new JdbcEventLog(db);
                 Pki pki = PkiAssembly.open(config, options.dataDir, db, events, env)) {
                PrintStream o = System.out;
                if (importRoot != null) {
                    X509Certificate root = PkiAssembly.readPem(importRoot).get(0);
                    Map<String, X509Certificate> issuing = new LinkedHashMap<>();
                    imports.forEach((name, file) -> issuing.put(name, PkiAssembly.readPem(file).get(0)));
                    if (issuing.isEmpty()) throw CliFailure.usage("--import-root needs at least one --import NAME=FILE");
                    pki.ca().importExternalRoot(root, issuing);
                    o.println("imported " + String.join(", ", issuing.keySet()) + " under the external root " + root.getSubjectX500Principal().getName());
                } else if (externalRoot) {
                    Path dir = out != null ? out : options.dataDir.resolve("pki").resolve("requests");
                    Files.createDirectories(dir);
                    for (var e : pki.ca().initializeWithExternalRoot().entrySet()) {
                        Path f = dir.resolve(e.getKey() + ".csr.pem");
                        Files.writeString(f, "-----BEGIN CERTIFICATE REQUEST-----\n"
                                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(e.getValue())
                                + "\n-----END CERTIFICATE REQUEST-----\n");
                        o.println("wrote " + f + " (sign it with the offline root as a CA certificate with pathLenConstraint 0)");
                    }
                } else {
                    boolean existed = pki.ca().isInitialized();
                    pki.initialize();
                    o.println(existed ? "the CA hierarchy already exists:" : "created the CA hierarchy:");
                    for (var ca : pki.ca().authorities()) {
                        o.printf("  %-15s %-8s %s%n", ca.name(), ca.role().name().toLowerCase(),
                                ca.certificate().map(c -> c.getSubjectX500Principal().getName()).orElse("(pending)"));
                    }
                }
            } catch (RefusedException e) {
                throw CliFailure.refused(e.refusal().publicMessage());
            } catch (IOException e) {
                throw CliFailure.refused(e.getMessage());
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows the CAs, or one CA with its certificate (PEM).")
    static final class Show implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(arity = "0..1", paramLabel = "NAME", description = "root, devices or infrastructure.")
        String name;

        @Override
        public void run() {
            if (name != null) {
                JsonNode ca = admin.client().get("/api/v1/ca/" + name);
                ca.fields().forEachRemaining(f -> {
                    if (!f.getKey().equals("pem")) System.out.printf("%-12s %s%n", f.getKey() + ":", f.getValue().asText());
                });
                System.out.print(ca.path("pem").asText());
                return;
            }
            System.out.printf("%-15s %-8s %-8s %-21s %s%n", "NAME", "ROLE", "STATUS", "NOT AFTER", "KEY");
            for (JsonNode ca : admin.client().get("/api/v1/ca")) {
                System.out.printf("%-15s %-8s %-8s %-21s %s%n", ca.path("name").asText(), ca.path("role").asText(), ca.path("status").asText(),
                        ca.path("notAfter").asText("-"), ca.path("keyLocation").asText());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists issued certificates, filtered.")
    static final class ListCerts implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--cn", description = "Subject common name.") String cn;
        @Option(names = "--device", description = "Device id.") String device;
        @Option(names = "--sha256", description = "SHA-256 fingerprint (hex, colons allowed).") String sha256;
        @Option(names = "--serial", description = "Serial number (hex).") String serial;
        @Option(names = "--status", description = "good or revoked.") String status;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (1..1000, default ${DEFAULT-VALUE}).") int limit;

        @Override
        public void run() {
            StringBuilder q = new StringBuilder("/api/v1/certificates?limit=" + limit);
            append(q, "commonName", cn);
            append(q, "deviceId", device);
            append(q, "sha256", sha256);
            append(q, "serial", serial);
            append(q, "status", status);
            JsonNode page = admin.client().get(q.toString());
            System.out.printf("%-34s %-15s %-8s %-22s %-21s %s%n", "SERIAL", "CA", "STATUS", "PROFILE", "NOT AFTER", "SUBJECT");
            for (JsonNode c : page.path("items")) {
                System.out.printf("%-34s %-15s %-8s %-22s %-21s %s%n", c.path("serial").asText(), c.path("ca").asText(), c.path("status").asText(),
                        c.path("profile").asText(), c.path("notAfter").asText(), c.path("subject").asText());
            }
        }

        private static void append(StringBuilder q, String k, String v) {
            if (v != null) q.append('&').append(k).append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8));
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, description = "Issues a certificate for a CSR; prints the certificate (PEM).")
    static final class Issue implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--csr", required = true, paramLabel = "FILE", description = "PKCS#10 request, PEM or DER.") Path csr;
        @Option(names = "--profile", defaultValue = "device", description = "device, gateway, server or sensor (default ${DEFAULT-VALUE}).") String profile;
        @Option(names = "--cn", required = true, description = "Subject CN (for devices: the device id).") String cn;
        @Option(names = "--dns", description = "DNS SAN (repeatable).") List<String> dns = List.of();
        @Option(names = "--ip", description = "IP SAN (repeatable).") List<String> ip = List.of();
        @Option(names = "--device", description = "Device id the certificate belongs to.") String device;
        @Option(names = "--validity", description = "ISO-8601 duration, capped by the profile (e.g. P90D).") String validity;
        @Option(names = "--out", paramLabel = "FILE", description = "Write the certificate here instead of stdout.") Path out;
        @Option(names = "--chain", description = "Append the CA chain after the certificate.") boolean chain;

        @Override
        public void run() {
            byte[] raw;
            try {
                raw = Files.readAllBytes(csr);
            } catch (IOException e) {
                throw CliFailure.usage("--csr: cannot read " + csr + ": " + e.getMessage());
            }
            String text = raw.length > 0 && raw[0] == 0x30 ? Base64.getEncoder().encodeToString(raw) : new String(raw, StandardCharsets.US_ASCII);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("csr", text);
            body.put("profile", profile);
            body.put("commonName", cn);
            body.put("dnsNames", dns);
            body.put("ipAddresses", ip);
            if (device != null) body.put("deviceId", device);
            if (validity != null) body.put("validity", validity);
            JsonNode issued = admin.client().post("/api/v1/certificates", body);
            String pem = issued.path("pem").asText() + (chain ? issued.path("chainPem").asText() : "");
            System.err.println("issued serial " + issued.path("serial").asText() + ", valid until " + issued.path("notAfter").asText());
            write(out, pem);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a certificate; the hub, OCSP and the CRL learn of it at once.")
    static final class Revoke implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "SERIAL", description = "Serial number in hex (colons allowed).") String serial;
        @Option(names = "--reason", defaultValue = "unspecified",
                description = "RFC 5280 reason: unspecified, keyCompromise, caCompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn.")
        String reason;

        @Override
        public void run() {
            JsonNode r = admin.client().post("/api/v1/certificates/" + serial.replace(":", "") + "/revoke", Map.of("reason", reason));
            System.out.println("revoked " + r.path("serial").asText() + " (" + r.path("revocationReason").asText() + ") at " + r.path("revokedAt").asText());
        }
    }

    @Command(name = "crl", mixinStandardHelpOptions = true, description = "Downloads a CA's current CRL (DER), or publishes a new one with --publish.")
    static final class Crl implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(arity = "0..1", paramLabel = "NAME", defaultValue = "devices", description = "CA name (default ${DEFAULT-VALUE}).") String name;
        @Option(names = "--publish", description = "Sign and publish a new CRL now.") boolean publish;
        @Option(names = "--out", paramLabel = "FILE", description = "Where to write the DER CRL (default: NAME.crl).") Path out;

        @Override
        public void run() {
            AdminClient client = admin.client();
            if (publish) client.post("/api/v1/ca/" + name + "/crl", Map.of());
            byte[] crl = client.getBytes("/pki/crl/" + name + ".crl");
            Path target = out != null ? out : Path.of(name + ".crl");
            try {
                Files.write(target, crl);
            } catch (IOException e) {
                throw CliFailure.refused("cannot write " + target + ": " + e.getMessage());
            }
            System.out.println("wrote " + target + " (" + crl.length + " bytes)");
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Creates a one-time EST bootstrap token for one identity; prints it once on stdout.")
    static final class Token implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--cn", required = true, description = "The identity the token enrolls (device id for devices).") String cn;
        @Option(names = "--profile", defaultValue = "device", description = "device, gateway or sensor (default ${DEFAULT-VALUE}).") String profile;
        @Option(names = "--validity", description = "How long the token can be used, ISO-8601 (default: pki.est.bootstrapTokenValidity).") String validity;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("commonName", cn);
            body.put("profile", profile);
            if (validity != null) body.put("validity", validity);
            JsonNode t = admin.client().post("/api/v1/est/tokens", body);
            System.err.println("EST bootstrap token for " + cn + ", usable once until " + t.path("expiresAt").asText() + ":");
            System.out.println(t.path("token").asText());
        }
    }

    static void write(Path out, String text) {
        if (out == null) {
            System.out.print(text);
            return;
        }
        try {
            Files.writeString(out, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw CliFailure.refused("cannot write " + out + ": " + e.getMessage());
        }
    }
}
