package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code holdfast enrollment group|individual create|show|list|disable|delete}: who may provision
 * (an X.509 manufacturer CA for a group; one certificate or TPM endorsement key for an individual
 * enrollment) and what they get. Single enrollments print as JSON, lists as a table; errors are one
 * line with exit code 1 (refused) or 2 (usage).
 */
@Command(name = "enrollment", mixinStandardHelpOptions = true, description = "Provisioning enrollments: groups (X.509 CA) and individual (X.509 or TPM).",
        subcommands = {EnrollmentCommand.Group.class, EnrollmentCommand.Individual.class})
public final class EnrollmentCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a kind is required: group or individual");
    }

    /** A kind of enrollment: its REST collection. */
    abstract static class Kind implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        abstract String collection();

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: create, show, list, disable or delete");
        }
    }

    @Command(name = "group", mixinStandardHelpOptions = true, description = "Enrollment groups: every device whose IDevID chains to a verified manufacturer CA.",
            subcommands = {CreateGroup.class, Show.class, ListAll.class, Disable.class, Enable.class, Delete.class})
    static final class Group extends Kind {
        String collection() {
            return "/api/v1/provisioning/enrollment-groups";
        }
    }

    @Command(name = "individual", mixinStandardHelpOptions = true, description = "Individual enrollments: one device by certificate thumbprint or TPM EK.",
            subcommands = {CreateIndividual.class, Show.class, ListAll.class, Disable.class, Enable.class, Delete.class})
    static final class Individual extends Kind {
        String collection() {
            return "/api/v1/provisioning/individual-enrollments";
        }
    }

    /** What every enrollment gives its devices. */
    static final class SettingsOptions {
        @Option(names = "--disabled", description = "Create it disabled.") boolean disabled;
        @Option(names = "--initial-twin", paramLabel = "JSON", description = "Initial desired properties, a JSON object.") String initialTwin;
        @Option(names = "--tags", paramLabel = "JSON", description = "Initial tags, a JSON object.") String tags;
        @Option(names = "--model", description = "Device model id.") String model;
        @Option(names = "--gateway", description = "Devices get the gateway capability and profile.") boolean gateway;
        @Option(names = "--allocation", defaultValue = "hashed", description = "hashed (default), geoLatency, static, custom (CEL) or webhook.") String allocation;
        @Option(names = "--static-hub", description = "The hub of a static allocation.") String staticHub;
        @Option(names = "--expression", description = "CEL expression yielding a hub name (custom allocation).") String expression;
        @Option(names = "--webhook-url", description = "HTTPS URL of the allocation webhook.") String webhookUrl;
        @Option(names = "--webhook-timeout", description = "ISO-8601 duration, default PT5S.") String webhookTimeout;
        @Option(names = "--on-failure", description = "refuse (default) or hashed, when the webhook fails.") String onFailure;
        @Option(names = "--linked-hub", description = "A hub this enrollment may use (repeatable; default: all).") List<String> hubs = new ArrayList<>();
        @Option(names = "--reprovision", description = "migrate (default), reset or never.") String reprovision;
        @Option(names = "--validity", description = "Validity of operational certificates, ISO-8601 (e.g. P30D).") String validity;

        void into(Map<String, Object> body) {
            body.put("enabled", !disabled);
            if (initialTwin != null) body.put("initialTwin", DeviceCommand.jsonOption("--initial-twin", initialTwin));
            if (tags != null) body.put("initialTags", DeviceCommand.jsonOption("--tags", tags));
            if (model != null) body.put("model", model);
            body.put("gateway", gateway);
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("type", allocation);
            if (staticHub != null) a.put("hub", staticHub);
            if (expression != null) a.put("expression", expression);
            if (webhookUrl != null) a.put("url", webhookUrl);
            if (webhookTimeout != null) a.put("timeout", webhookTimeout);
            if (onFailure != null) a.put("onFailure", onFailure);
            body.put("allocation", a);
            if (!hubs.isEmpty()) body.put("linkedHubs", hubs);
            if (reprovision != null) body.put("reprovisionPolicy", reprovision);
            if (validity != null) body.put("validity", validity);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an enrollment group on a verified manufacturer CA; prints it as JSON.")
    static final class CreateGroup implements Runnable {
        @Mixin
        AdminOptions admin;
        @Mixin
        SettingsOptions settings;
        @ParentCommand
        Kind kind;

        @Parameters(paramLabel = "ID", description = "Group id.") String id;
        @Option(names = "--ca", required = true, description = "Name of the verified manufacturer CA (root or intermediate).") String ca;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("attestation", Map.of("type", "x509", "caName", ca));
            settings.into(body);
            DeviceCommand.printPretty(admin.client().post(kind.collection(), body));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an individual enrollment (X.509 thumbprint or TPM EK); prints it as JSON.")
    static final class CreateIndividual implements Runnable {
        @Mixin
        AdminOptions admin;
        @Mixin
        SettingsOptions settings;
        @ParentCommand
        Kind kind;

        @Parameters(paramLabel = "REGISTRATION_ID", arity = "0..1", description = "The certificate CN (derived from the EK for TPM when left out).") String registrationId;
        @Option(names = "--thumbprint", description = "SHA-256 thumbprint of the device certificate (X.509).") String thumbprint;
        @Option(names = "--ek", paramLabel = "FILE", description = "The TPM endorsement key, TPM2B_PUBLIC as written by tpm2_createek -f tpmt... (binary).") Path ek;
        @Option(names = "--ek-cert", paramLabel = "FILE", description = "The EK certificate (DER).") Path ekCert;
        @Option(names = "--device-id", description = "Registry id to give the device (default: the registration id).") String deviceId;

        @Override
        public void run() {
            if ((thumbprint == null) == (ek == null)) throw CliFailure.usage("give either --thumbprint (X.509) or --ek (TPM)");
            Map<String, Object> body = new LinkedHashMap<>();
            if (registrationId != null) body.put("registrationId", registrationId);
            if (deviceId != null) body.put("deviceId", deviceId);
            if (thumbprint != null) {
                body.put("attestation", Map.of("type", "x509", "thumbprint", thumbprint));
            } else {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("type", "tpm");
                a.put("endorsementKey", base64(ek));
                if (ekCert != null) a.put("ekCertificate", base64(ekCert));
                body.put("attestation", a);
            }
            settings.into(body);
            DeviceCommand.printPretty(admin.client().post(kind.collection(), body));
        }

        private static String base64(Path p) {
            try {
                return Base64.getEncoder().encodeToString(Files.readAllBytes(p));
            } catch (IOException e) {
                throw CliFailure.usage("cannot read " + p + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints an enrollment as JSON.")
    static final class Show implements Runnable {
        @Mixin
        AdminOptions admin;
        @ParentCommand
        Kind kind;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            DeviceCommand.printPretty(admin.client().get(kind.collection() + "/" + id));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists enrollments.")
    static final class ListAll implements Runnable {
        @Mixin
        AdminOptions admin;
        @ParentCommand
        Kind kind;

        @Override
        public void run() {
            System.out.printf("%-32s %-8s %-6s %-40s %-10s %s%n", "ID", "ENABLED", "TYPE", "ATTESTATION", "ALLOCATION", "REPROVISION");
            for (JsonNode e : admin.client().get(kind.collection()).path("enrollments")) {
                JsonNode a = e.path("attestation");
                String anchor = a.has("caName") ? "ca " + a.path("caName").asText() : a.has("thumbprint") ? a.path("thumbprint").asText().substring(0, 16) + "..."
                        : "tpm ek";
                System.out.printf("%-32s %-8s %-6s %-40s %-10s %s%n", e.has("id") ? e.path("id").asText() : e.path("registrationId").asText(),
                        e.path("enabled").asBoolean(), a.path("type").asText(), anchor, e.path("allocation").path("type").asText(), e.path("reprovisionPolicy").asText());
            }
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disables an enrollment: its devices' next registrations are refused.")
    static final class Disable implements Runnable {
        @Mixin
        AdminOptions admin;
        @ParentCommand
        Kind kind;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            admin.client().post(kind.collection() + "/" + id + "/disable", Map.of());
            System.out.println("disabled enrollment " + id);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables an enrollment again.")
    static final class Enable implements Runnable {
        @Mixin
        AdminOptions admin;
        @ParentCommand
        Kind kind;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            admin.client().post(kind.collection() + "/" + id + "/enable", Map.of());
            System.out.println("enabled enrollment " + id);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes an enrollment: its devices' next registrations are refused.")
    static final class Delete implements Runnable {
        @Mixin
        AdminOptions admin;
        @ParentCommand
        Kind kind;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            admin.client().delete(kind.collection() + "/" + id);
            System.out.println("deleted enrollment " + id);
        }
    }
}
