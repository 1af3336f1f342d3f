package dev.holdfast.server.cli;

import dev.holdfast.server.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** One in-process run of the {@code holdfast} CLI with what it printed, for tests that type commands. */
record CliRun(int exit, String out, String err) {

    /** Runs the CLI, capturing stdout and stderr. Serialized: it swaps System.out and System.err. */
    static synchronized CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try {
            // Subcommands capture System.err when they are built, so redirect first.
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            int exit = cl.execute(args);
            return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
