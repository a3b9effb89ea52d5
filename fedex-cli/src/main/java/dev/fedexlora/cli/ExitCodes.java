package dev.fedexlora.cli;

/** The exit codes every {@code ./fedex} command lists in its {@code --help}. */
public final class ExitCodes {

    public static final String HEADING = "%nExit codes:%n";
    public static final String OK = "0:success";
    public static final String FAILED = "1:bad input (the message names the file or field), the platform refused the"
            + " request or could not be reached, or the job followed did not succeed";
    public static final String USAGE = "2:wrong usage: unknown option, missing or malformed argument";

    private ExitCodes() {
    }
}
