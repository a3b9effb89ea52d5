package dev.fedexlora.coordinator.event;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a job event says, one record per kind; the kind's name ({@link #type()}, the simple record name) is the
 * event's {@code type} on the stream and in the table, and the record's fields are its {@code data}. Stored, the
 * record carries its kind as {@code @type} so that it reads back as itself; the stream leaves that out
 * ({@link JobEvent#data()}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, include = JsonTypeInfo.As.PROPERTY, property = "@type")
@JsonSubTypes({@JsonSubTypes.Type(JobEventData.JobStarted.class), @JsonSubTypes.Type(JobEventData.RoundOpened.class),
        @JsonSubTypes.Type(JobEventData.TaskCompleted.class), @JsonSubTypes.Type(JobEventData.TaskFailed.class),
        @JsonSubTypes.Type(JobEventData.RoundAggregated.class), @JsonSubTypes.Type(JobEventData.RoundRetried.class),
        @JsonSubTypes.Type(JobEventData.JobSucceeded.class), @JsonSubTypes.Type(JobEventData.JobFailed.class),
        @JsonSubTypes.Type(JobEventData.JobCancelled.class)})
public sealed interface JobEventData {

    /** The event's type: the record's simple name (JobStarted, RoundOpened, …). */
    default String type() {
        return getClass().getSimpleName();
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
