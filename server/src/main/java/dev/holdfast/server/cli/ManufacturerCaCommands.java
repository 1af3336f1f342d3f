package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code holdfast ca upload-manufacturer|verify-manufacturer}: manufacturer CAs for provisioning,
 * uploaded then verified by proof of possession (subcommands of {@link CaCommand}).
 */
final class ManufacturerCaCommands {
    private ManufacturerCaCommands() {
    }

    @Command(name = "upload-manufacturer", mixinStandardHelpOptions = true,
            description = "Uploads a device maker's CA certificate (unverified) and prints the verification code to sign.")
    static final class Upload implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "NAME", description = "A name for the CA (letters, digits, '.', '_', '-').") String name;
        @Option(names = "--cert", required = true, paramLabel = "PEM", description = "The CA certificate (PEM file).") Path cert;
        @Option(names = "--crl", paramLabel = "FILE", description = "The CA's CRL (PEM or DER file); IDevIDs on it are refused.") Path crl;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("certificate", read(cert));
            if (crl != null) body.put("crl", readCrl(crl));
            JsonNode r = admin.client().post("/api/v1/provisioning/manufacturer-cas", body);
            System.out.println("uploaded manufacturer CA " + r.path("name").asText() + " (" + r.path("subject").asText() + "), not yet verified");
            System.out.println("verification code: " + r.path("verificationCode").asText());
            System.out.println("next: sign a certificate with CN=" + r.path("verificationCode").asText()
                    + " with this CA's key, then run: holdfast ca verify-manufacturer " + name + " --cert proof.pem");
        }
    }

    @Command(name = "verify-manufacturer", mixinStandardHelpOptions = true,
            description = "Proves possession of a manufacturer CA's key with a certificate whose CN is the verification code.")
    static final class Verify implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--cert", required = true, paramLabel = "PEM", description = "The proof certificate (PEM), signed by the CA.") Path cert;

        @Override
        public void run() {
            JsonNode r = admin.client().post("/api/v1/provisioning/manufacturer-cas/" + name + "/verify", Map.of("certificate", read(cert)));
            System.out.println("verified manufacturer CA " + r.path("name").asText() + " at " + r.path("verifiedAt").asText());
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw CliFailure.usage("cannot read " + p + ": " + e.getMessage());
        }
    }

    static String readCrl(Path p) {
        try {
            byte[] b = Files.readAllBytes(p);
            String text = new String(b, StandardCharsets.US_ASCII);
            return text.contains("-----BEGIN X509 CRL-----") ? text.strip() : java.util.Base64.getEncoder().encodeToString(b);
        } catch (IOException e) {
            throw CliFailure.usage("cannot read " + p + ": " + e.getMessage());
        }
    }
}
