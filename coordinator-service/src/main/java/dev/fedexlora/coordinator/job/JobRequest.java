package dev.fedexlora.coordinator.job;

import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.core.protocol.Task;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import dev.fedexlora.core.ref.ModelVersionUri;

/**
 * A federated fine-tuning job as a user submits it. Either {@code clients} (every round trains all of them) or
 * {@code clientSelection} (each round samples that many of the registered clients holding {@code dataset}) must be
 * given. Optional fields (null) take defaults: method FEDEX, weighting UNIFORM, deadline from the configuration,
 * quorum = every selected client, rsLoRA off, task SEQUENCE_CLASSIFICATION with two labels; a CAUSAL_LM job takes
 * no {@code numLabels} and defaults {@code maxSequenceLength} to 256 tokens.
 *
 * @param baseModel       the registry model and version (number or alias) to start from; also accepted as a
 *                        URI string {@code fedex://models/NAME@ALIAS} or {@code fedex://models/NAME/VERSION}
 * @param dataset         the data set every client trains on (for CENTRALIZED: the pooled set's name)
 * @param clients         explicit client ids
 * @param clientSelection a per-round sampling rule instead of explicit clients
 * @param method          FEDEX, FEDIT, FFA or CENTRALIZED
 * @param rounds          number of federated rounds
 * @param rank            LoRA rank r
 * @param alpha           LoRA alpha (scale alpha/r), finite, at most 10^6
 * @param targetModules   module name suffixes LoRA is applied to, e.g. {@code query}, {@code value}; each must
 *                        name a 2-d layer of the base checkpoint
 * @param learningRate    local learning rate
 * @param localSteps      optimiser steps per client per round
 * @param batchSize       local batch size
 * @param seed            seed of adapter initialisation and client sampling
 * @param weighting       UNIFORM or EXAMPLES
 * @param roundDeadline   ISO-8601 duration after which a round closes with its quorum (e.g. PT30M), 1 s to 365 days
 * @param quorum          completed tasks a round needs at its deadline
 * @param useRslora       scale by alpha/sqrt(r)
 * @param numLabels       classes of the classification head (SEQUENCE_CLASSIFICATION only)
 * @param task            SEQUENCE_CLASSIFICATION (an encoder base) or CAUSAL_LM (a decoder base)
 * @param maxSequenceLength tokens per training sequence, longer ones truncated (CAUSAL_LM only)
 * @param robust          robust aggregation (update-norm clipping, norm-outlier rejection); off when absent
 */
public record JobRequest(
        @NotNull @Valid BaseModelRef baseModel,
        @NotBlank @Size(max = 200) String dataset,
        @Size(max = 10_000) List<@NotBlank @Size(max = 200) String> clients,
        @Valid ClientSelection clientSelection,
        Method method,
        @NotNull @Min(1) @Max(10_000) Integer rounds,
        @NotNull @Min(1) @Max(4096) Integer rank,
        @NotNull @Positive @DecimalMax("1000000") Double alpha,
        @NotEmpty @Size(max = 64) List<@NotBlank @Size(max = 200) String> targetModules,
        @NotNull @Positive @DecimalMax("10") Double learningRate,
        @NotNull @Min(1) @Max(1_000_000) Integer localSteps,
        @NotNull @Min(1) @Max(65_536) Integer batchSize,
        Long seed,
        Weighting weighting,
        Duration roundDeadline,
        @Min(1) Integer quorum,
        Boolean useRslora,
        @Min(2) @Max(100_000) Integer numLabels,
        Task task,
        @Min(2) @Max(32_768) Integer maxSequenceLength,
        @Valid Robust robust) {

    /** Tokens per causal-LM sequence when the request gives none. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;

    /**
     * @param name    registered model name
     * @param version a version number ({@code 0} is the base) or an alias
     */
    public record BaseModelRef(@NotBlank @Size(max = 200) String name,
                               @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._-]+") String version) {

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public BaseModelRef(@JsonProperty("name") String name, @JsonProperty("version") String version) {
            this.name = name;
            this.version = version;
        }

        /** {@code "baseModel": "fedex://models/NAME@ALIAS"} or {@code "fedex://models/NAME/VERSION"}. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static BaseModelRef of(String uri) {
            try {
                ModelVersionUri parsed = ModelVersionUri.parse(uri);
                return new BaseModelRef(parsed.name(), parsed.version());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("baseModel: " + e.getMessage());
            }
        }
    }

    /**
     * Robust aggregation, both parts off by default. A client's update is its adapter minus the global adapter the
     * round started from (round 1: minus zero), over every LoRA matrix and head tensor, measured by its Frobenius
     * norm. Each round's report lists every client's norm, clip factor and whether it was left out.
     *
     * @param clipNorm      when positive, an update with a larger norm is scaled down to this norm
     * @param outlierFactor when positive (at least 1), a client whose update norm exceeds this factor times the
     *                      round's median is left out of the round (rounds of three or more clients)
     */
    public record Robust(@DecimalMin("0") @DecimalMax("1000000") Double clipNorm,
                         @DecimalMin("0") @DecimalMax("1000000") Double outlierFactor) {

        /** Neither part on. */
        public static final Robust OFF = new Robust(0.0, 0.0);

        public double clip() {
            return clipNorm == null ? 0 : clipNorm;
        }

        public double outliers() {
            return outlierFactor == null ? 0 : outlierFactor;
        }

        public boolean enabled() {
            return clip() > 0 || outliers() > 0;
        }
    }

    /** @param count clients sampled per round */
    public record ClientSelection(@NotNull @Min(1) @Max(10_000) Integer count) {
    }

    /** The request with every default filled in; what a job stores. */
    JobRequest withDefaults(Duration defaultDeadline) {
        Task t = Task.orDefault(task);
        boolean lm = t == Task.CAUSAL_LM;
        // Boxed on purpose: a causal-LM job keeps numLabels null, a classification job maxSequenceLength.
        Integer labels = lm || numLabels != null ? numLabels : Integer.valueOf(2);
        Integer length = lm && maxSequenceLength == null ? Integer.valueOf(DEFAULT_MAX_SEQUENCE_LENGTH)
                : maxSequenceLength;
        return new JobRequest(baseModel, dataset, clients == null ? null : List.copyOf(clients), clientSelection,
                method == null ? Method.FEDEX : method, rounds, rank, alpha, List.copyOf(targetModules), learningRate,
                localSteps, batchSize, seed == null ? 0L : seed, weighting == null ? Weighting.UNIFORM : weighting,
                roundDeadline == null ? defaultDeadline : roundDeadline, quorum,
                useRslora != null && useRslora, labels, t, length, robust == null ? Robust.OFF : robust);
    }

    /** The robust options, off for a job stored before they existed. */
    public Robust effectiveRobust() {
        return robust == null ? Robust.OFF : robust;
    }

    /** The task, classification for a job stored before tasks existed. */
    public Task effectiveTask() {
        return Task.orDefault(task);
    }

    /** Clients a round selects: the explicit list's size or the rule's count. */
    public int clientsPerRound() {
        return clients != null ? clients.size() : clientSelection.count();
    }

    /** Completed tasks a round needs at its deadline. */
    public int effectiveQuorum() {
        return quorum != null ? quorum : clientsPerRound();
    }
}
