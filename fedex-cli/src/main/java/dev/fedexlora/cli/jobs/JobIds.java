package dev.fedexlora.cli.jobs;

import java.util.UUID;

/** Job ids as the coordinator spells them; checked before they become part of a request path. */
final class JobIds {

    private JobIds() {
    }

    static String check(String id) {
        try {
            return UUID.fromString(id).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JOB: '" + id + "' is not a job id (a UUID, as 'jobs list' shows)");
        }
    }
}
