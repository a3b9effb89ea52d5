package dev.fedexlora.coordinator.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.CoordinatorMetrics;
import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.platform.storage.ObjectNotFoundException;
import dev.fedexlora.platform.storage.ObjectStore;

/**
 * Each client upload is read from the object store once: at completion, where it is verified and parsed. What the
 * round needs afterwards (the reference shapes for the next completions, the adapters to aggregate) is kept here,
 * so a round of n clients reads n uploads, and aggregates exactly the bytes that were verified (a presigned upload
 * URL still valid after completion cannot change them). After a restart, or past {@link #MAX_KEPT_BYTES}, an upload
 * is read again and checked against the SHA-256 recorded at completion.
 */
@Component
public class VerifiedUploads {

    /** Parsed adapters kept at most (their tensor bytes); the oldest go first. */
    static final long MAX_KEPT_BYTES = 512L << 20;

    private final ObjectStore store;
    private final CoordinatorMetrics metrics;
    private final Map<UUID, Kept> kept = new LinkedHashMap<>();
    private long keptBytes;

    VerifiedUploads(ObjectStore store, CoordinatorMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    /** A verified upload of one task of one round. */
    private record Kept(UUID roundId, UploadVerifier.Verified upload) {
    }

    /** Both files of the task's upload, read once; empty files stand for a file that never arrived. */
    record Upload(Optional<byte[]> weights, Optional<byte[]> config) {
    }

    /** The object store's copy of a task's upload (one read of each file). */
    Upload read(TaskEntity task) {
        metrics.uploadRead();
        return new Upload(readIfPresent(TaskKeys.upload(task, UploadVerifier.WEIGHTS)),
                readIfPresent(TaskKeys.upload(task, UploadVerifier.CONFIG)));
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
     * What a DONE task uploaded, exactly as verified at completion: the parsed adapter and its size.
     *
     * @throws Unreadable when it is no longer kept and the stored copy is missing, changed or unreadable
     */
    public UploadVerifier.Verified adapter(TaskEntity done) throws Unreadable {
        synchronized (this) {
            Kept k = kept.get(done.getId());
            if (k != null && k.upload().weightsSha256().equals(done.getAdapterSha256())
                    && k.upload().configSha256().equals(done.getConfigSha256())) {
                return k.upload();
            }
        }
        Upload upload = read(done);
        byte[] weights = upload.weights().orElse(new byte[0]);
        byte[] config = upload.config().orElse(new byte[0]);
        metrics.bytesMoved("in", weights.length + (long) config.length);
        if (!Sha256.hex(weights).equals(done.getAdapterSha256()) || !Sha256.hex(config).equals(done.getConfigSha256())) {
            throw new Unreadable("the upload of client " + done.getClientId() + " (task " + done.getId()
                    + ") changed after it was verified");
        }
        try {
            return new UploadVerifier.Verified(PeftAdapters.fromParts(new String(config, StandardCharsets.UTF_8),
                    SafeTensors.read(weights, done.getId().toString()), "client " + done.getClientId()),
                    done.getAdapterSha256(), done.getConfigSha256(), weights.length + (long) config.length);
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("the upload of client " + done.getClientId() + " no longer reads: " + e.getMessage());
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

    private Optional<byte[]> readIfPresent(String key) {
        try {
            return Optional.of(store.read(key));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    /** A done task's upload cannot be aggregated any more. */
    public static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }
}
