package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import picocli.CommandLine.Command;

/**
 * {@code ./fedex versions list|show|compare|export|download|describe|archive|unarchive}: a model's versions.
 * A version is named {@code fedex://models/NAME@ALIAS}, {@code fedex://models/NAME/VERSION}, {@code NAME@ALIAS}
 * or {@code NAME/VERSION}.
 */
@Command(name = "versions", mixinStandardHelpOptions = true,
        description = "A model's versions: list, show, compare two, export and download, describe, archive."
                + " VERSION is fedex://models/NAME@ALIAS, fedex://models/NAME/N, NAME@ALIAS or NAME/N.",
        subcommands = {VersionsListCommand.class, VersionShowCommand.class, VersionCompareCommand.class,
                VersionExportCommand.class, VersionDownloadCommand.class, VersionDescribeCommand.class,
                VersionArchiveCommand.class, VersionUnarchiveCommand.class},
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
public final class VersionsCommand {
}
