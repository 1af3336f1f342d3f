package dev.holdfast.server.cli;

import dev.holdfast.server.ConfigOptions;
import dev.holdfast.server.config.ConfigReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code holdfast config reference|check}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "The configuration: its reference, and a check of a file.",
        subcommands = {ConfigCommand.Reference.class, ConfigCommand.Check.class})
public final class ConfigCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: reference or check");
    }

    @Command(name = "reference", mixinStandardHelpOptions = true, description = "Prints the reference of every setting (Markdown), as in docs/configuration.md.")
    static final class Reference implements Runnable {
        @Override
        public void run() {
            System.out.print(ConfigReference.markdown());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Loads the configuration as the server would and reports every error with its path.")
    static final class Check implements Runnable {
        @Mixin
        ConfigOptions options;

        @Override
        public void run() {
            System.out.println(options.load(System.getenv()).describe());
        }
    }
}
