package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code holdfast sbom upload|show}: the SBOM of a firmware image (device model + firmware version). */
@Command(name = "sbom", mixinStandardHelpOptions = true, description = "SBOMs of firmware images (CycloneDX JSON/XML, SPDX 2.3 JSON).",
        subcommands = {SbomCommand.Upload.class, SbomCommand.Show.class})
public final class SbomCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: upload or show");
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, description = "Uploads the SBOM of a firmware image; devices running it are re-evaluated.")
    static final class Upload implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--model", required = true, description = "Device model id.") String model;
        @Option(names = "--version", required = true, description = "Firmware version, as devices report it in firmware.version.") String version;
        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;
        @Parameters(paramLabel = "FILE", description = "The SBOM file.") Path file;

        @Override
        public void run() {
            String type = "application/json";
            try (InputStream in = Files.newInputStream(file)) {
                byte[] head = in.readNBytes(64);
                if (new String(head, java.nio.charset.StandardCharsets.UTF_8).stripLeading().startsWith("<")) type = "application/xml";
            } catch (IOException e) {
                throw CliFailure.usage("cannot read " + file + ": " + e.getMessage());
            }
            JsonNode r = admin.client().upload("PUT", "/api/v1/sboms/" + DeviceCommand.segment(model) + "/" + DeviceCommand.segment(version), type, file);
            if (json) {
                System.out.println(r.toPrettyString());
                return;
            }
            System.out.printf("stored SBOM for %s@%s: %s %s, %d components, %d VEX statements, sha256 %s%n", model, version, r.path("format").asText(),
                    r.path("specVersion").asText(), r.path("components").asInt(), r.path("vexStatements").asInt(), r.path("sha256").asText());
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows an image's SBOM and its vulnerability findings.")
    static final class Show implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "MODEL") String model;
        @Parameters(index = "1", paramLabel = "VERSION") String version;
        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;

        @Override
        public void run() {
            JsonNode r = admin.client().get("/api/v1/sboms/" + DeviceCommand.segment(model) + "/" + DeviceCommand.segment(version));
            if (json) {
                System.out.println(r.toPrettyString());
                return;
            }
            System.out.printf("%s@%s: %s %s, %d components, uploaded %s by %s%n", model, version, r.path("format").asText(), r.path("specVersion").asText(),
                    r.path("components").asInt(), r.path("uploadedAt").asText(), r.path("uploadedBy").asText());
            PostureCommand.printFindings(r.path("findings"));
        }
    }
}
