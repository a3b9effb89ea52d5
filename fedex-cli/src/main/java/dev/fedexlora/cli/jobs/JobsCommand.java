package dev.fedexlora.cli.jobs;

import dev.fedexlora.cli.ExitCodes;
import picocli.CommandLine.Command;

/** {@code ./fedex jobs list|show|cancel|tasks}: the coordinator's jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "List, inspect and cancel jobs on the coordinator (token: FEDEX_TOKEN or the config file).",
        subcommands = {JobsListCommand.class, JobShowCommand.class, JobCancelCommand.class, JobTasksCommand.class},
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
public final class JobsCommand {
}
