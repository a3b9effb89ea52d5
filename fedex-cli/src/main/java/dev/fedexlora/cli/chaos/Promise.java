package dev.fedexlora.cli.chaos;

import java.util.Map;

/** The promises the suite checks, each with what it means. */
public enum Promise {
    JOBS_SUCCEED("every job submitted by the fault run ends SUCCEEDED"),
    NO_VERSION_LOST("every round of every job has its version in the registry"),
    NO_VERSION_DUPLICATED("no job round is registered twice"),
    NO_VERSION_ALTERED("every version's artifacts are the bytes the coordinator computed (SHA-256)"),
    NO_5XX("no request of the corpus is answered with a 5xx"),
    NO_STALL("every request of the corpus is answered within the request timeout"),
    OUT_OF_RANGE_REFUSED("numbers out of range and unknown fields are refused with 400, not coerced"),
    NO_BAD_ARTIFACT_ACCEPTED("no crafted upload completes a task"),
    HONEST_UPLOAD_ACCEPTED("the honest upload of the crafted corpus completes its task (the harness works)"),
    NO_CROSS_WORKER_ACTION("no worker acts on another worker's task or takes over its identity"),
    NO_ANONYMOUS_WRITE("no write without a token succeeds on either service"),
    NO_ANONYMOUS_READ("no API read without a token succeeds on either service"),
    CLEAN_RESTART("a coordinator killed with SIGKILL starts again without help"),
    NO_ROUND_RETRIED("no round attempt of a fault-run job is retried or fails (faults cost task attempts, not rounds)");

    private final String meaning;

    Promise(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }

    /**
     * The promises broken on today's platform, each with why; none at present. The chaos tests assert that exactly
     * these are broken, so a new breakage (or a fix not recorded here) fails the build.
     */
    public static final Map<Promise, String> KNOWN_BROKEN = Map.of();
}
