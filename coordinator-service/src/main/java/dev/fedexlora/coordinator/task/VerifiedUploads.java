package dev.fedexlora.coordinator.task;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.coordinator.registry.BaseCheckpoints;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.validate.UploadValidator;
import dev.fedexlora.platform.storage.ObjectNotFoundException;
import dev.fedexlora.platform.storage.ObjectStore;

/**
 * Each client upload is read from the object store once: at completion, where it is verified and parsed. What the
 * round needs afterwards (the reference shapes for the next completions, the adapters to aggregate) is kept here,
 * so a round of n clients reads n uploads, and aggregates exactly the bytes that were verified (a presigned upload
 * URL still valid after completion cannot change them). After a restart, or past {@link #MAX_KEPT_BYTES}, the
 * coordinator's own copy of the verified bytes ({@link TaskKeys#verified}) is read again, checked against the SHA-256
 * recorded at completion and validated again.
 */
@Component
public class VerifiedUploads {

    /** Parsed adapters kept at most (their tensor bytes); the oldest go first. */
    static final long MAX_KEPT_BYTES = 512L << 20;

    private final ObjectStore store;
    private final BaseCheckpoints baseCheckpoints;
    private final CoordinatorMetrics metrics;
    private final Map<UUID, Kept> kept = new LinkedHashMap<>();
    private long keptBytes;

    VerifiedUploads(ObjectStore store, BaseCheckpoints baseCheckpoints, CoordinatorMetrics metrics) {
        this.store = store;
        this.baseCheckpoints = baseCheckpoints;
        this.metrics = metrics;
    }

    /** A verified upload of one task of one round. */
    private record Kept(UUID roundId, UploadVerifier.Verified upload) {
    }

    /**
     * Verifies a task's upload against the job and its base checkpoint ({@link UploadVerifier}): each file's size is
     * bounded by what the job's shapes can produce before a byte of it is read, then both are read once. The
     * verified bytes are copied to the coordinator's own keys ({@link TaskKeys#verified}) before the caller marks
     * the task DONE.
     *
     * @param ffaReference for FFA, a verified upload of the round whose {@code lora_A} every other must equal
     */
    UploadVerifier.Verified verify(TaskEntity task, JobRequest job, String model, Map<String, String> claimed,
                                   LoraAdapter ffaReference) throws UploadVerifier.Rejected {
        UploadValidator validator = UploadVerifier.validator(job, baseCheckpoints.shapes(model), ffaReference);
        metrics.uploadRead();
        Optional<byte[]> weights = readBounded(validator, TaskKeys.upload(task, UploadVerifier.WEIGHTS));
        Optional<byte[]> config = readBounded(validator, TaskKeys.upload(task, UploadVerifier.CONFIG));
        UploadVerifier.Verified verified = UploadVerifier.verify(validator, claimed, weights, config,
                "task " + task.getId());
        store.put(TaskKeys.verified(task, UploadVerifier.WEIGHTS), weights.orElseThrow());
        store.put(TaskKeys.verified(task, UploadVerifier.CONFIG), config.orElseThrow());
        return verified;
    }

    private Optional<byte[]> readBounded(UploadValidator validator, String key) throws UploadVerifier.Rejected {
        String file = key.substring(key.lastIndexOf('/') + 1);
        Optional<ObjectStore.ObjectInfo> info = store.stat(key);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        UploadVerifier.checkSize(validator, file, info.get().size());
        try {
            byte[] bytes = store.read(key);
            // A PUT may have replaced the object between stat and read: bound what was read as well.
            UploadVerifier.checkSize(validator, file, bytes.length);
            return Optional.of(bytes);
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Keeps a verified upload for its round. */
    synchronized void keep(TaskEntity task, UploadVerifier.Verified verified) {
        Kept previous = kept.put(task.getId(), new Kept(task.getRoundId(), verified));
        keptBytes += verified.bytes() - (previous == null ? 0 : previous.upload().bytes());
        Iterator<Map.Entry<UUID, Kept>> eldest = kept.entrySet().iterator();
        while (keptBytes > MAX_KEPT_BYTES && eldest.hasNext()) {
            keptBytes -= eldest.next().getValue().upload().bytes();
            eldest.remove();
        }
    }

    /** A kept upload of the round other than {@code task}'s, to check shapes against; empty when none is kept. */
    synchronized Optional<LoraAdapter> keptReference(UUID roundId, UUID excludingTask) {
        return kept.entrySet().stream()
                .filter(e -> e.getValue().roundId().equals(roundId) && !e.getKey().equals(excludingTask))
                .map(e -> e.getValue().upload().adapter()).findFirst();
    }

    /**
     * What a DONE task uploaded, exactly as verified at completion: the parsed adapter and its size. When it is no
     * longer kept (a restart), it is read again within the job's bounds, must have the SHA-256 recorded at
     * completion, and is validated again.
     *
     * @throws Unreadable when the stored copy is missing, changed, too large or no longer valid
     */
    public UploadVerifier.Verified adapter(TaskEntity done, JobRequest job, String model) throws Unreadable {
        synchronized (this) {
            Kept k = kept.get(done.getId());
            if (k != null && k.upload().weightsSha256().equals(done.getAdapterSha256())
                    && k.upload().configSha256().equals(done.getConfigSha256())) {
                return k.upload();
            }
        }
        try {
            UploadValidator validator = UploadVerifier.validator(job, baseCheckpoints.shapes(model), null);
            metrics.uploadRead();
            UploadVerifier.Verified v = UploadVerifier.verify(validator, Map.of(UploadVerifier.WEIGHTS,
                    done.getAdapterSha256(), UploadVerifier.CONFIG, done.getConfigSha256()),
                    readBounded(validator, TaskKeys.verified(done, UploadVerifier.WEIGHTS)),
                    readBounded(validator, TaskKeys.verified(done, UploadVerifier.CONFIG)), "task " + done.getId());
            metrics.bytesMoved("in", v.bytes());
            return v;
        } catch (UploadVerifier.Rejected e) {
            throw new Unreadable("the verified copy of client " + done.getClientId() + "'s upload (task "
                    + done.getId() + ") no longer verifies: " + e.getMessage());
        }
    }

    /** Forgets the round's uploads once it has ended (aggregated, retried or failed). */
    public synchronized void forgetRound(UUID roundId) {
        Iterator<Map.Entry<UUID, Kept>> it = kept.entrySet().iterator();
        while (it.hasNext()) {
            Kept k = it.next().getValue();
            if (k.roundId().equals(roundId)) {
                keptBytes -= k.upload().bytes();
                it.remove();
            }
        }
    }

    /** A done task's upload cannot be aggregated any more. */
    public static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }
}
