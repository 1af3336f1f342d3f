package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** {@code holdfast events tail|exporters}: the security event log and the exporters' health, over the REST API. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Security events: read the log, follow it, check the exporters.",
        subcommands = {EventsCommand.Tail.class, EventsCommand.Exporters.class})
public final class EventsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: tail or exporters");
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Prints the newest events, one per line (SEQ TIME SEVERITY CLASS ACTIVITY DEVICE ACTOR MESSAGE); --follow keeps printing new ones.")
    static final class Tail implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = {"-n", "--lines"}, defaultValue = "20", description = "How many of the newest sequence numbers to start from (1..1000, default ${DEFAULT-VALUE}).") int lines;
        @Option(names = {"-f", "--follow"}, description = "Keep polling for new events until interrupted.") boolean follow;
        @Option(names = "--interval", defaultValue = "1s", description = "Poll interval with --follow (default ${DEFAULT-VALUE}).") String interval;
        @Option(names = "--class", description = "Only this OCSF class, such as authentication or detection_finding.") String eventClass;
        @Option(names = "--device", description = "Only events about this device.") String device;
        @Option(names = "--activity", description = "Only activities starting with this prefix.") String activity;
        @Option(names = "--min-severity", description = "Only events at or above: informational, low, medium, high, critical.") String minSeverity;
        @Option(names = "--json", description = "Print each event as a JSON line instead.") boolean json;

        @Override
        public void run() {
            if (lines < 1 || lines > 1000) throw new CliFailure(CliFailure.USAGE, "--lines " + lines + " (expected: 1..1000)");
            Duration every = parseInterval(interval);
            AdminClient client = admin.client();
            StringBuilder filters = new StringBuilder();
            param(filters, "class", eventClass);
            param(filters, "device", device);
            param(filters, "activity", activity);
            param(filters, "minSeverity", minSeverity);
            JsonNode page = client.get("/api/v1/events?limit=1000&tail=" + lines + filters);
            long next = print(page);
            while (follow && !Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                // Pages until caught up, so a burst is printed whole before the next sleep.
                for (int i = 0; i < 1000; i++) {
                    page = client.get("/api/v1/events?limit=1000&after=" + next + filters);
                    next = print(page);
                    if (page.path("items").size() < 1000) break;
                }
            }
        }

        private long print(JsonNode page) {
            PrintStream out = System.out;
            for (JsonNode e : page.path("items")) {
                if (json) {
                    out.println(e.toString());
                } else {
                    out.printf("%d %s %-13s %-26s %-34s %-20s %-20s %s%n", e.path("sequence").asLong(), e.path("time").asText(),
                            e.path("severity").asText(), e.path("class").asText(), e.path("activity").asText(),
                            e.hasNonNull("deviceId") ? e.get("deviceId").asText() : "-", e.path("actor").asText(),
                            e.path("message").asText().replace("\n", "\\n").replace("\r", "\\r"));
                }
            }
            out.flush();
            return page.path("next").asLong();
        }

        private static void param(StringBuilder b, String name, String value) {
            if (value != null && !value.isBlank()) b.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }

        private static Duration parseInterval(String s) {
            try {
                Duration d = s.endsWith("ms") ? Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)))
                        : s.endsWith("s") ? Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1))) : Duration.parse(s);
                if (d.toMillis() < 100) throw new CliFailure(CliFailure.USAGE, "--interval " + s + " (expected: at least 100ms)");
                return d;
            } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
                throw new CliFailure(CliFailure.USAGE, "--interval " + s + " (expected: such as 500ms, 2s or PT5S)");
            }
        }
    }

    @Command(name = "exporters", mixinStandardHelpOptions = true, description = "Shows each exporter's state, cursor, lag and last error.")
    static final class Exporters implements Runnable {
        @Mixin
        AdminOptions admin;

        @Override
        public void run() {
            JsonNode list = admin.client().get("/api/v1/events/exporters");
            System.out.printf("%-20s %-8s %-9s %10s %8s %10s %8s %s%n", "NAME", "TYPE", "STATE", "CURSOR", "LAG", "DELIVERED", "FAILURES", "LAST ERROR");
            for (JsonNode e : list.path("items")) {
                System.out.printf("%-20s %-8s %-9s %10d %8d %10d %8d %s%n", e.path("name").asText(), e.path("type").asText(), e.path("state").asText(),
                        e.path("cursor").asLong(), e.path("lag").asLong(), e.path("delivered").asLong(), e.path("failures").asLong(),
                        e.path("lastError").asText("-"));
            }
        }
    }
}
