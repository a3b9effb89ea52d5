package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import picocli.CommandLine.Command;

/** {@code ./fedex models list|import|alias|unalias}: the registry's models. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List models, import a Hugging Face checkpoint, point aliases at versions.",
        subcommands = {ModelsListCommand.class, ModelImportCommand.class, ModelAliasCommand.class,
                ModelUnaliasCommand.class},
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
public final class ModelsCommand {
}
