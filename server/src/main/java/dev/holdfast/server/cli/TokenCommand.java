package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code holdfast token list|create|revoke}: the admin API's bearer tokens, to rotate the bootstrap token. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage the bearer tokens of the admin API.",
        subcommands = {TokenCommand.List.class, TokenCommand.Create.class, TokenCommand.Revoke.class})
public final class TokenCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: list, create or revoke");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every token (never its secret).")
    static final class List implements Runnable {
        @Mixin
        AdminOptions admin;

        @Override
        public void run() {
            JsonNode tokens = admin.client().get("/api/v1/tokens");
            PrintStream out = System.out;
            out.printf("%-16s  %-24s  %-20s  %-20s  %s%n", "ID", "NAME", "CREATED", "LAST USED", "STATE");
            for (JsonNode t : tokens) {
                String state = t.path("revokedAt").isTextual() ? "revoked" : t.path("active").asBoolean() ? "active" : "expired";
                out.printf("%-16s  %-24s  %-20s  %-20s  %s%n", t.path("id").asText(), t.path("name").asText(),
                        minute(t.path("createdAt")), minute(t.path("lastUsedAt")), state);
            }
        }

        private static String minute(JsonNode instant) {
            String s = instant.isTextual() ? instant.asText() : "-";
            return s.length() > 16 ? s.substring(0, 16).replace('T', ' ') : s;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a token and prints its secret on stdout, once; it cannot be shown again.")
    static final class Create implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--name", required = true, description = "What the token is for, e.g. ci or alice-laptop.")
        String name;

        @Option(names = "--validity", paramLabel = "DURATION", description = "How long it works, ISO-8601 (P30D, PT12H); default: until revoked.")
        String validity;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (validity != null) {
                try {
                    body.put("validity", Duration.parse(validity).toString());
                } catch (DateTimeParseException e) {
                    throw CliFailure.usage("--validity: " + validity + " (expected: an ISO-8601 duration such as P30D)");
                }
            }
            JsonNode created = admin.client().post("/api/v1/tokens", body);
            System.err.println("token " + created.path("token").path("id").asText() + " created; store the secret now, it is not shown again:");
            System.out.println(created.path("secret").asText());
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a token; it stops working at once.")
    static final class Revoke implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID", description = "The token's id, as shown by 'holdfast token list'.")
        String id;

        @Override
        public void run() {
            if (!id.matches("[0-9a-f]{16}")) throw CliFailure.usage("ID: " + id + " (expected: 16 hex digits, as shown by 'holdfast token list')");
            admin.client().delete("/api/v1/tokens/" + id);
            System.err.println("token " + id + " revoked");
        }
    }
}
