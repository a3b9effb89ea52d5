package dev.fedexlora.coordinator.event;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a job event says, one record per kind; the kind's name ({@link #type()}, the simple record name) is the
 * event's {@code type} on the stream and in the table, and the record's fields are its {@code data}.
 */
public sealed interface JobEventData {

    /** The event's type: the record's simple name (JobStarted, RoundOpened, …). */
    default String type() {
        return getClass().getSimpleName();
    }

    /** The record class of an event type, for reading a stored event back. */
    static Class<? extends JobEventData> classOf(String type) {
        for (Class<?> c : JobEventData.class.getPermittedSubclasses()) {
            if (c.getSimpleName().equals(type)) {
                return c.asSubclass(JobEventData.class);
            }
        }
        throw new IllegalArgumentException("unknown job event type " + type);
    }

    record BaseModel(String name, int version) {
    }

    record JobStarted(String method, BaseModel baseModel, int rounds) implements JobEventData {
    }

    record RoundOpened(int round, int attempt, List<String> clients, String deadline) implements JobEventData {
    }

    record TaskCompleted(String taskId, int round, String clientId, long examples) implements JobEventData {
    }

    record TaskFailed(String taskId, int round, String clientId, String reason, boolean reoffered)
            implements JobEventData {
    }

    record RoundAggregated(int round, int modelVersion, int participants, double exactnessError, double deviation,
                           long residualBytes) implements JobEventData {
    }

    record RoundRetried(int round, int attempt, String reason) implements JobEventData {
    }

    record JobSucceeded(int modelVersion, String model) implements JobEventData {
    }

    /** {@code round} is absent when the job failed before any round opened. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record JobFailed(Integer round, String reason) implements JobEventData {
    }

    record JobCancelled(String by) implements JobEventData {
    }
}
