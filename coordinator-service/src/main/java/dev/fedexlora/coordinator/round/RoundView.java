package dev.fedexlora.coordinator.round;

import java.time.Instant;
import java.util.UUID;

/**
 * A round attempt with its metrics as {@code GET /jobs/{id}/rounds} shows it. Metrics are null until the round
 * aggregated. {@code exactnessError} is the largest per-layer relative error of the folded update (≤ 1e-5 for the
 * exact methods); {@code deviation} the largest per-layer s‖R‖_F that FedIT leaves out; bytes are the residual as
 * stored and all bytes the aggregation read and wrote.
 */
public record RoundView(UUID id, int number, int attempt, RoundState state, int quorum, Instant openedAt,
                        Instant deadlineAt, Instant closedAt, Integer participants, Double meanLoss,
                        Double meanAccuracy, Double exactnessError, Double deviation, Long residualBytes,
                        Long bytesMoved, Double aggregationSeconds, Integer modelVersion, String failureReason) {

    static RoundView of(RoundEntity r) {
        return new RoundView(r.getId(), r.getNumber(), r.getAttempt(), r.getState(), r.getQuorum(), r.getOpenedAt(),
                r.getDeadlineAt(), r.getClosedAt(), r.getParticipants(), r.getMeanLoss(), r.getMeanAccuracy(),
                r.getExactnessError(), r.getDeviation(), r.getResidualBytes(), r.getBytesMoved(),
                r.getAggregationSeconds(), r.getModelVersion(), r.getFailureReason());
    }
}
