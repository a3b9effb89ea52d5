package dev.fedexlora.coordinator.job;

/** RUNNING until the last round aggregates (SUCCEEDED), a round fails for good (FAILED) or a user cancels. */
public enum JobState {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean ended() {
        return this != RUNNING;
    }
}
