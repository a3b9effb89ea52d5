package dev.fedexlora.worker.task;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Base checkpoints with the residuals of a version chain folded in, kept in memory for the next tasks: a task whose
 * chain extends a cached one (the next round of the same job, or another client of the same round) downloads and
 * applies only the residuals after it, one product each. A chain is identified by its versions' numbers and the
 * SHA-256 of their residual files, so only byte-identical residuals are ever reused. Folded checkpoints share every
 * tensor a residual did not change with the base, so an entry costs about the size of the adapted layers. The
 * same cache serves encoder ({@code HfCheckpoint}) and decoder ({@code DecoderCheckpoint}) bases: an entry is only
 * reused for a base of its own type.
 */
@Component
class FoldedCheckpoints {

    static final int CAPACITY = 8;

    private record Entry(String baseKey, List<String> chain, Object checkpoint) {
    }

    /** Where a task starts: a checkpoint with the first {@code folded} residuals of its chain already in it. */
    record Start<T>(T checkpoint, int folded) {
    }

    private final LinkedList<Entry> entries = new LinkedList<>();

    /**
     * The checkpoint with the longest cached prefix of {@code chain} (each element {@code version:sha256}, oldest
     * first) folded into {@code base}, or {@code base} itself with nothing folded.
     */
    @SuppressWarnings("unchecked")
    synchronized <T> Start<T> start(String baseKey, T base, List<String> chain) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.baseKey().equals(baseKey) && base.getClass().isInstance(e.checkpoint())
                    && e.chain().size() <= chain.size()
                    && e.chain().equals(chain.subList(0, e.chain().size()))
                    && (best == null || e.chain().size() > best.chain().size())) {
                best = e;
            }
        }
        if (best == null) {
            return new Start<>(base, 0);
        }
        entries.remove(best);
        entries.addFirst(best);
        return new Start<>((T) best.checkpoint(), best.chain().size());
    }

    /** Keeps {@code checkpoint} as {@code base} with {@code chain} folded in; the least recently used go first. */
    synchronized void put(String baseKey, List<String> chain, Object checkpoint) {
        if (chain.isEmpty()) {
            return;
        }
        List<String> key = List.copyOf(chain);
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.baseKey().equals(baseKey) && e.chain().equals(key)
                    && e.checkpoint().getClass() == checkpoint.getClass()) {
                it.remove();
            }
        }
        entries.addFirst(new Entry(baseKey, key, checkpoint));
        while (entries.size() > CAPACITY) {
            entries.removeLast();
        }
    }

    /** The cached chains, most recently used first (for tests and logs). */
    synchronized List<List<String>> chains() {
        List<List<String>> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.chain()));
        return out;
    }
}
