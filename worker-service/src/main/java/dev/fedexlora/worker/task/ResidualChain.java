package dev.fedexlora.worker.task;

import dev.fedexlora.core.protocol.TaskLease;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A base checkpoint with a version chain's residuals folded in, for either model kind: starts from the longest
 * chain already folded in memory ({@link FoldedCheckpoints}), downloads and folds only the residuals after it, and
 * keeps the result for the next task.
 */
final class ResidualChain {

    /** Folds one downloaded residual file into a checkpoint (the kind's own lora-core {@code BaseWeights} call). */
    interface Fold<T> {
        T apply(T checkpoint, Path residualFile) throws IOException;
    }

    private ResidualChain() {
    }

    /** @param refs the residuals of the chain, oldest first */
    static <T> T fold(FoldedCheckpoints folded, Transfers transfers, String baseKey, T base,
                      List<TaskLease.ResidualRef> refs, Path taskDir, Fold<T> fold) throws IOException {
        List<String> chain = refs.stream().map(r -> r.version() + ":" + r.sha256()).toList();
        FoldedCheckpoints.Start<T> start = folded.start(baseKey, base, chain);
        T checkpoint = start.checkpoint();
        for (TaskLease.ResidualRef r : refs.subList(start.folded(), refs.size())) {
            Path file = taskDir.resolve("residual-" + r.version() + ".safetensors");
            transfers.download(r.url(), r.sha256(), file);
            checkpoint = fold.apply(checkpoint, file);
        }
        folded.put(baseKey, chain, checkpoint);
        return checkpoint;
    }
}
