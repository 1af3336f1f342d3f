package dev.holdfast.server;

import dev.holdfast.server.cli.CliFailure;
import dev.holdfast.server.cli.AdvisoriesCommand;
import dev.holdfast.server.cli.CaCommand;
import dev.holdfast.server.cli.ConfigCommand;
import dev.holdfast.server.cli.DeviceCommand;
import dev.holdfast.server.cli.EnrollmentCommand;
import dev.holdfast.server.cli.HubLinkCommands;
import dev.holdfast.server.cli.ModelCommand;
import dev.holdfast.server.cli.SimCommand;
import dev.holdfast.server.cli.PostureCommand;
import dev.holdfast.server.cli.SbomCommand;
import dev.holdfast.server.cli.TokenCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The {@code holdfast} command: {@code holdfast server} runs the server, {@code holdfast <noun> <verb>}
 * administers it over the REST API. Exit codes: 0 done, 1 refused or failed, 2 usage error.
 */
@Command(name = "holdfast", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Holdfast: self-hosted zero-trust security for IoT and embedded fleets.",
        subcommands = {DemoCommand.class, ServerCommand.class, CaCommand.class, TokenCommand.class, ConfigCommand.class,
                DeviceCommand.class, ModelCommand.class, EnrollmentCommand.class, SimCommand.class, dev.holdfast.server.cli.SensorCommand.class, dev.holdfast.server.cli.EventsCommand.class, SbomCommand.class, AdvisoriesCommand.class, PostureCommand.class, dev.holdfast.server.cli.HubCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required (try 'holdfast --help')");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Holdfast's error rendering: one line on stderr and the exit code of the failure. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof CliFailure f) {
                err.println("holdfast: " + f.getMessage());
                err.flush();
                return f.exitCode();
            }
            // Unexpected: the server command has logged it where it happened; the CLI shows one line.
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("command failed", e);
            err.println("holdfast: " + commandLine.getCommandName() + " failed: " + e);
            err.flush();
            return CliFailure.REFUSED;
        });
        return cl;
    }

    /** The version in the jar manifest; {@code development} when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"holdfast " + (v != null ? v : "development"), "Java " + Runtime.version()};
        }
    }
}
