package dev.fedexlora.cli;

import dev.fedexlora.cli.aggregate.AggregateCommand;
import dev.fedexlora.cli.bench.BenchCommand;
import dev.fedexlora.cli.chaos.ChaosCommand;
import dev.fedexlora.cli.experiment.ExperimentCommand;
import dev.fedexlora.cli.jobs.JobsCommand;
import dev.fedexlora.cli.lm.LmCommand;
import dev.fedexlora.cli.platform.DemoCommand;
import dev.fedexlora.cli.platform.PlatformException;
import dev.fedexlora.cli.platform.StandaloneCommand;
import dev.fedexlora.cli.platform.SubmitCommand;
import dev.fedexlora.cli.platform.WatchCommand;
import dev.fedexlora.cli.registry.ModelsCommand;
import dev.fedexlora.cli.registry.VersionsCommand;
import dev.fedexlora.cli.train.TrainCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./fedex} command line. Bad input (an invalid tensor file, adapters that do not aggregate together)
 * ends with one line naming the problem and exit code 1; usage errors print the usage and exit with 2.
 */
@Command(name = "fedex", mixinStandardHelpOptions = true, version = "fedex 0.1.0",
        description = "FedEx-LoRA: federated fine-tuning with exact LoRA aggregation.",
        subcommands = {DemoCommand.class, ExperimentCommand.class, StandaloneCommand.class, SubmitCommand.class, WatchCommand.class,
                JobsCommand.class, ModelsCommand.class, VersionsCommand.class, AggregateCommand.class,
                TrainCommand.class, LmCommand.class, BenchCommand.class, ChaosCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE},
        footer = {"%nSettings: --coordinator/--registry, else FEDEX_COORDINATOR_URL/FEDEX_REGISTRY_URL, else the config"
                + " file ($FEDEX_CONFIG or ~/.config/fedex/config). Tokens only from FEDEX_TOKEN/FEDEX_REGISTRY_TOKEN"
                + " or that file, never from the command line. See docs/cli.md."})
public final class FedexCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the platform's error handling, for main and for tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new FedexCommand());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            if (cause instanceof IOException || cause instanceof IllegalArgumentException
                    || cause instanceof java.util.NoSuchElementException || cause instanceof PlatformException) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + cause.getMessage());
                return 1;
            }
            throw ex;
        });
        return cli;
    }
}
