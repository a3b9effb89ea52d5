package dev.fedexlora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./fedex} command line. */
@Command(name = "fedex", mixinStandardHelpOptions = true, version = "fedex 0.1.0",
        description = "FedEx-LoRA: federated fine-tuning with exact LoRA aggregation.",
        subcommands = {CommandLine.HelpCommand.class})
public final class FedexCommand {

    public static void main(String[] args) {
        System.exit(new CommandLine(new FedexCommand()).execute(args));
    }
}
