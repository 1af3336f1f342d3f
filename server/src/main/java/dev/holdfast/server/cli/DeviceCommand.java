package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.holdfast.pki.TlsPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code holdfast device create|show|list|query|enable|disable|delete|import|export}: the device
 * registry over the REST API. Output is a table for lists, JSON for single devices and query rows (one
 * per line, ready for {@code jq}); errors are one line with exit code 1 (refused) or 2 (usage).
 */
@Command(name = "device", mixinStandardHelpOptions = true, description = "The device registry: register, inspect, query, enable, disable, import, export.",
        subcommands = {DeviceCommand.Create.class, DeviceCommand.Show.class, DeviceCommand.ListDevices.class, DeviceCommand.Query.class,
                DeviceCommand.Enable.class, DeviceCommand.Disable.class, DeviceCommand.Delete.class, DeviceCommand.Import.class,
                DeviceCommand.Export.class})
public final class DeviceCommand implements Runnable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a verb is required: create, show, list, query, enable, disable, delete, import or export");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Registers a device; prints it as JSON.")
    static final class Create implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID", description = "Device id: up to 128 ASCII letters, digits and -.+%_#*?!(),:=@$'") String id;
        @Option(names = "--hub", description = "Host name of the device's hub.") String hub;
        @Option(names = "--lifecycle", description = "First lifecycle state (default registered).") String lifecycle;
        @Option(names = "--disabled", description = "Register it disabled.") boolean disabled;
        @Option(names = "--reason", description = "Status reason.") String reason;
        @Option(names = "--auth", description = "none (default), certificate (with --thumbprint) or ca.") String auth;
        @Option(names = "--thumbprint", description = "SHA-256 thumbprint of a bound certificate (repeatable, at most 2).") List<String> thumbprints = new ArrayList<>();
        @Option(names = "--parent", description = "Id of the gateway the device reaches the hub through.") String parent;
        @Option(names = "--model", description = "Device model id.") String model;
        @Option(names = "--gateway", description = "The device is a gateway (may be a parent).") boolean gateway;
        @Option(names = "--tags", paramLabel = "JSON", description = "Tags as a JSON object, e.g. '{\"site\":\"plant-3\"}'.") String tags;
        @Option(names = "--desired", paramLabel = "JSON", description = "Initial desired properties as a JSON object.") String desired;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("deviceId", id);
            if (hub != null) body.put("hub", hub);
            if (lifecycle != null) body.put("lifecycle", lifecycle);
            if (disabled) body.put("status", "disabled");
            if (reason != null) body.put("statusReason", reason);
            if (auth != null || !thumbprints.isEmpty()) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("type", auth != null ? auth : "certificate");
                if (!thumbprints.isEmpty()) a.put("thumbprints", thumbprints);
                body.put("authentication", a);
            }
            if (parent != null) body.put("parentId", parent);
            if (model != null) body.put("modelId", model);
            if (gateway) body.put("capabilities", Map.of("gateway", true));
            if (tags != null) body.put("tags", jsonOption("--tags", tags));
            if (desired != null) body.put("properties", Map.of("desired", jsonOption("--desired", desired)));
            JsonNode d = admin.client().post("/api/v1/devices", body);
            System.err.println("registered " + d.path("deviceId").asText() + " (" + d.path("status").asText() + ", " + d.path("lifecycle").asText() + ")");
            printPretty(d);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints a device as JSON; with --twin its twin (with metadata).")
    static final class Show implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--twin", description = "Show the twin instead.") boolean twin;

        @Override
        public void run() {
            printPretty(admin.client().get(devicePath(id) + (twin ? "/twin" : "")));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists devices in id order, filtered.")
    static final class ListDevices implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--status", description = "enabled or disabled.") String status;
        @Option(names = "--lifecycle", description = "registered, provisioned, active, quarantined or decommissioned.") String lifecycle;
        @Option(names = "--hub", description = "Hub host name.") String hub;
        @Option(names = "--model", description = "Device model id.") String model;
        @Option(names = "--parent", description = "Gateway id.") String parent;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many per page (1..1000, default ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--all", description = "Follow the pages to the end.") boolean all;

        @Override
        public void run() {
            AdminClient client = admin.client();
            PrintStream out = System.out;
            out.printf("%-32s %-9s %-15s %-13s %-24s %-20s %s%n", "ID", "STATUS", "LIFECYCLE", "CONNECTION", "HUB", "PARENT", "MODEL");
            String after = null;
            do {
                StringBuilder q = new StringBuilder("/api/v1/devices?limit=" + limit);
                append(q, "status", status);
                append(q, "lifecycle", lifecycle);
                append(q, "hub", hub);
                append(q, "modelId", model);
                append(q, "parentId", parent);
                append(q, "after", after);
                JsonNode page = client.get(q.toString());
                for (JsonNode d : page.path("items")) {
                    out.printf("%-32s %-9s %-15s %-13s %-24s %-20s %s%n", d.path("deviceId").asText(), d.path("status").asText(),
                            d.path("lifecycle").asText(), d.path("connectionState").asText(), d.path("hub").asText("-"),
                            d.path("parentId").asText("-"), d.path("modelId").asText("-"));
                }
                after = page.path("next").isTextual() ? page.path("next").asText() : null;
            } while (all && after != null);
            if (!all && after != null) System.err.println("more devices after " + after + " (use --all)");
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true, description = "Runs a fleet query; prints each row as one line of JSON.")
    static final class Query implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "QUERY", description = "e.g. \"SELECT * FROM devices WHERE tags.site = 'plant-3'\"") String query;
        @Option(names = "--page-size", defaultValue = "100", description = "Rows per request (1..1000, default ${DEFAULT-VALUE}).") int pageSize;
        @Option(names = "--all", description = "Follow continuations to the end.") boolean all;

        @Override
        public void run() {
            AdminClient client = admin.client();
            String continuation = null;
            long rows = 0;
            do {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("query", query);
                body.put("pageSize", pageSize);
                if (continuation != null) body.put("continuation", continuation);
                JsonNode page = client.post("/api/v1/devices/query", body);
                for (JsonNode row : page.path("rows")) {
                    System.out.println(row.toString());
                    rows++;
                }
                continuation = page.path("continuation").isTextual() ? page.path("continuation").asText() : null;
            } while (all && continuation != null);
            System.err.println(rows + " rows" + (continuation != null ? " (more: use --all)" : ""));
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Lets a device connect again.")
    static final class Enable implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--reason", description = "Why, for the record.") String reason;

        @Override
        public void run() {
            status(admin, id, "enabled", reason);
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Refuses a device's connections from now on (it stays registered).")
    static final class Disable implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--reason", required = true, description = "Why, e.g. 'reported stolen'.") String reason;

        @Override
        public void run() {
            status(admin, id, "disabled", reason);
        }
    }

    static void status(AdminOptions admin, String id, String status, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        if (reason != null) body.put("reason", reason);
        JsonNode d = admin.client().post(devicePath(id) + "/status", body);
        System.out.println(d.path("deviceId").asText() + " " + d.path("status").asText() + d.path("statusReason").asText("").transform(r -> r.isEmpty() ? "" : ": " + r));
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a device and its twin.")
    static final class Delete implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;

        @Override
        public void run() {
            admin.client().delete(devicePath(id));
            System.out.println("deleted " + id);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Imports devices from JSON Lines (one device per line, see docs/registry.md) as a job and waits for it.",
                    "FILE is uploaded; with --server-path it names a file in the server's import directory instead.",
                    "Exit code 1 when a line was refused (the first refusals are printed)."})
    static final class Import implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "FILE", description = "JSON Lines file to upload (or, with --server-path, its path under the server's import directory).") String file;
        @Option(names = "--server-path", description = "FILE is on the server, under DIR/registry/import.") boolean serverPath;
        @Option(names = "--no-wait", description = "Print the job id and return at once.") boolean noWait;

        @Override
        public void run() {
            JsonNode job = serverPath ? admin.client().post("/api/v1/jobs/import", Map.of("path", file)) : upload(admin, Path.of(file));
            finish(admin, job, noWait);
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Exports every device as JSON Lines (the import format), parents before children.")
    static final class Export implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the lines ('-' for stdout).") String out;

        @Override
        public void run() {
            AdminClient client = admin.client();
            JsonNode job = finish(admin, client.post("/api/v1/jobs/export", Map.of()), false);
            byte[] lines = client.getBytes("/api/v1/jobs/" + job.path("id").asText() + "/output");
            if (out.equals("-")) {
                System.out.write(lines, 0, lines.length);
                System.out.flush();
                return;
            }
            try {
                Files.write(Path.of(out), lines);
            } catch (IOException e) {
                throw CliFailure.refused("cannot write " + out + ": " + e.getMessage());
            }
            System.err.println("wrote " + out + " (" + job.path("position").asLong() + " devices)");
        }
    }

    /** Waits for a job, reporting progress on stderr; fails when it failed or refused lines. */
    static JsonNode finish(AdminOptions admin, JsonNode job, boolean noWait) {
        String id = job.path("id").asText();
        System.err.println(job.path("kind").asText() + " job " + id + " started");
        if (noWait) {
            System.out.println(id);
            return job;
        }
        AdminClient client = admin.client();
        long lastReport = System.nanoTime();
        while (!job.path("status").asText().equals("completed") && !job.path("status").asText().equals("failed")) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliFailure.refused("interrupted; job " + id + " goes on on the server");
            }
            job = client.get("/api/v1/jobs/" + id);
            if (System.nanoTime() - lastReport > Duration.ofSeconds(5).toNanos()) {
                System.err.printf("  %d of %s lines%n", job.path("position").asLong(), job.path("total").isNumber() ? job.path("total").asText() : "?");
                lastReport = System.nanoTime();
            }
        }
        JsonNode c = job.path("counts");
        System.err.printf("%s job %s %s: %d applied, %d refused%s%n", job.path("kind").asText(), id, job.path("status").asText(),
                job.path("succeeded").asLong(), job.path("failed").asLong(), job.path("kind").asText().equals("import")
                        ? String.format(" (%d created, %d updated, %d unchanged, %d deleted)", c.path("created").asLong(), c.path("updated").asLong(),
                        c.path("unchanged").asLong(), c.path("deleted").asLong()) : "");
        int shown = 0;
        for (JsonNode e : job.path("errors")) {
            if (shown++ == 10) break;
            System.err.println("  line " + e.path("line").asLong() + ": " + e.path("message").asText());
        }
        if (job.path("status").asText().equals("failed")) throw CliFailure.refused(job.path("kind").asText() + " job " + id + " failed");
        if (job.path("failed").asLong() > 0) {
            throw CliFailure.refused(job.path("failed").asLong() + " lines refused (job " + id + "; see holdfast device import --help)");
        }
        return job;
    }

    /**
     * Uploads a JSON Lines file as the body of {@code POST /api/v1/jobs/import}, streamed from disk: the
     * JSON client of {@link AdminClient} only sends JSON documents, so this is the one raw request,
     * made with the same TLS policy, trust and token.
     */
    static JsonNode upload(AdminOptions admin, Path file) {
        if (!Files.isRegularFile(file)) throw CliFailure.usage("FILE: " + file + " is not a readable file");
        admin.client(); // checks the token and trust bundle the same way, with the same messages
        String token = System.getenv().getOrDefault("HOLDFAST_TOKEN", "");
        if (token.isBlank()) {
            try {
                token = Files.readString(admin.dataDir.resolve("bootstrap").resolve("admin.token"), StandardCharsets.US_ASCII).strip();
            } catch (NoSuchFileException e) {
                throw CliFailure.usage("no API token: set HOLDFAST_TOKEN");
            } catch (IOException e) {
                throw CliFailure.usage("cannot read the API token: " + e.getMessage());
            }
        }
        Path trust = admin.caFile != null ? admin.caFile : admin.dataDir.resolve("bootstrap").resolve("trust-bundle.pem");
        SSLParameters params = TlsPolicy.apply(new SSLParameters());
        params.setEndpointIdentificationAlgorithm("HTTPS");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .sslContext(TlsPolicy.clientContext(AdminClient.readCertificates(trust, admin.caFile != null ? "--ca-file" : "trust bundle")))
                .sslParameters(params).build();
        try {
            HttpRequest r = HttpRequest.newBuilder(admin.server.resolve("/api/v1/jobs/import")).timeout(Duration.ofMinutes(30))
                    .header("Authorization", "Bearer " + token.strip()).header("Content-Type", "application/x-ndjson")
                    .header("Accept", "application/json, application/problem+json").POST(HttpRequest.BodyPublishers.ofFile(file)).build();
            HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw CliFailure.refused(AdminClient.describeError("POST /api/v1/jobs/import", response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(""), response.body()));
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw CliFailure.refused("cannot upload " + file + " to " + admin.server + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.refused("interrupted");
        }
    }

    static String devicePath(String id) {
        return "/api/v1/devices/" + segment(id);
    }

    /** One path segment, percent-encoded: device ids may hold # ? % + and other URL characters. */
    static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static void append(StringBuilder q, String k, String v) {
        if (v != null) q.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    }

    static JsonNode jsonOption(String option, String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) throw CliFailure.usage(option + ": expected a JSON object such as '{\"site\":\"plant-3\"}'");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw CliFailure.usage(option + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    static void printPretty(JsonNode n) {
        try {
            System.out.println(PRETTY.writeValueAsString(n));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
