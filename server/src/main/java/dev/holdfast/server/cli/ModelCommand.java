package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code holdfast model create|show|list|delete}: the device models devices point at, and their support dates. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Device models: manufacturer, hardware revision, end of support.",
        subcommands = {ModelCommand.Create.class, ModelCommand.Show.class, ModelCommand.ListModels.class, ModelCommand.Delete.class})
public final class ModelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: create, show, list or delete");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Adds a device model.")
    static final class Create implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID", description = "1..128 of A-Z a-z 0-9 . _ -, e.g. acme-x200-revb.") String id;
        @Option(names = "--manufacturer", required = true) String manufacturer;
        @Option(names = "--model", required = true, description = "The maker's model name.") String model;
        @Option(names = "--hardware-revision") String hardwareRevision;
        @Option(names = "--end-of-support", paramLabel = "DATE", description = "Last day the maker supports it (yyyy-mm-dd).") String endOfSupport;
        @Option(names = "--security-updates-until", paramLabel = "DATE",
                description = "Last day the maker has committed to ship security updates (yyyy-mm-dd).") String horizon;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("manufacturer", manufacturer);
            body.put("model", model);
            if (hardwareRevision != null) body.put("hardwareRevision", hardwareRevision);
            if (endOfSupport != null) body.put("endOfSupport", date("--end-of-support", endOfSupport));
            if (horizon != null) body.put("securityUpdateHorizon", date("--security-updates-until", horizon));
            JsonNode m = admin.client().post("/api/v1/models", body);
            System.out.println("created model " + m.path("id").asText());
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a device model.")
    static final class Show implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            JsonNode m = admin.client().get("/api/v1/models/" + DeviceCommand.segment(id));
            m.fields().forEachRemaining(f -> System.out.printf("%-22s %s%n", f.getKey() + ":", f.getValue().isNull() ? "-" : f.getValue().asText()));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists device models.")
    static final class ListModels implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--limit", defaultValue = "100", description = "At most this many (1..1000, default ${DEFAULT-VALUE}).") int limit;

        @Override
        public void run() {
            JsonNode page = admin.client().get("/api/v1/models?limit=" + limit);
            PrintStream out = System.out;
            out.printf("%-28s %-20s %-24s %-8s %-14s %s%n", "ID", "MANUFACTURER", "MODEL", "HW REV", "END OF SUPPORT", "SECURITY UPDATES UNTIL");
            for (JsonNode m : page.path("items")) {
                out.printf("%-28s %-20s %-24s %-8s %-14s %s%n", m.path("id").asText(), m.path("manufacturer").asText(), m.path("model").asText(),
                        m.path("hardwareRevision").asText("-"), m.path("endOfSupport").asText("-"), m.path("securityUpdateHorizon").asText("-"));
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a device model no device points at.")
    static final class Delete implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            admin.client().delete("/api/v1/models/" + DeviceCommand.segment(id));
            System.out.println("deleted model " + id);
        }
    }

    private static String date(String option, String text) {
        try {
            return LocalDate.parse(text).toString();
        } catch (DateTimeParseException e) {
            throw CliFailure.usage(option + ": " + text + " (expected: a date yyyy-mm-dd)");
        }
    }
}
