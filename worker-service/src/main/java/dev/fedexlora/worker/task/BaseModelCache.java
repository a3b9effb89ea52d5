package dev.fedexlora.worker.task;

import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.worker.WorkerProperties;
import dev.fedexlora.core.protocol.TaskLease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Base checkpoints on local disk, keyed by content: the directory name is the SHA-256 of the sorted
 * {@code file:sha256} list, so a base is downloaded once however many jobs, rounds and clients use it, and a
 * changed file is a different base. A directory is complete once its {@code .complete} marker exists.
 */
@Component
class BaseModelCache {

    static final java.util.Set<String> PLAIN = java.util.Set.of("config.json", "tokenizer.json",
            DecoderCheckpoint.WEIGHTS_FILE, DecoderCheckpoint.INDEX_FILE);
    static final java.util.regex.Pattern SHARD = java.util.regex.Pattern.compile(
            "model-\\d{5}-of-\\d{5}\\.safetensors");
    /** The four plain files and up to 1024 shards (the coordinator's bound on an index). */
    static final int MAX_FILES = 1028;

    private final Path root;
    private final Transfers transfers;
    private Path loadedDir;
    private HfCheckpoint loaded;
    private Path loadedDecoderDir;
    private DecoderCheckpoint loadedDecoder;

    BaseModelCache(WorkerProperties properties, Transfers transfers) {
        this.root = properties.cacheDir().resolve("base");
        this.transfers = transfers;
    }

    /**
     * The local directory of the base checkpoint {@code files}, downloading and verifying it on first use. Only the
     * names a Hugging Face checkpoint uses are accepted ({@code config.json}, {@code tokenizer.json},
     * {@code model.safetensors}, {@code model.safetensors.index.json}, shards {@code model-00001-of-00004.safetensors}),
     * at most {@link #MAX_FILES} of them, so no name from a lease is used as a path unchecked.
     */
    synchronized Path resolve(Map<String, TaskLease.FileRef> files) throws IOException {
        checkNames(files.keySet());
        Path dir = root.resolve(key(files));
        if (Files.exists(dir.resolve(".complete"))) {
            return dir;
        }
        Files.createDirectories(dir);
        for (Map.Entry<String, TaskLease.FileRef> e : files.entrySet()) {
            String name = e.getKey();
            transfers.download(e.getValue().url(), e.getValue().sha256(), dir.resolve(name));
        }
        Files.writeString(dir.resolve(".complete"), "");
        return dir;
    }

    /** Refuses a lease's base file list unless every name is a checkpoint file name and there are few enough. */
    static void checkNames(java.util.Set<String> names) throws IOException {
        if (names.size() > MAX_FILES) {
            throw new IOException("the lease names " + names.size() + " base files, more than " + MAX_FILES);
        }
        for (String name : names) {
            if (!PLAIN.contains(name) && !SHARD.matcher(name).matches()) {
                throw new IOException("base file name '" + name + "' is not a checkpoint file (" + PLAIN
                        + " or model-NNNNN-of-NNNNN.safetensors)");
            }
        }
    }

    /**
     * The base checkpoint {@code files}, loaded: the last one loaded stays in memory (it is the same for every task
     * of a job, and often of every job), so a task does not read and parse it again.
     */
    synchronized HfCheckpoint load(Map<String, TaskLease.FileRef> files) throws IOException {
        Path dir = resolve(files);
        if (!dir.equals(loadedDir)) {
            loaded = HfCheckpoint.load(dir);
            loadedDir = dir;
        }
        return loaded;
    }

    /** The decoder base checkpoint {@code files}, loaded; like {@link #load}, the last one stays in memory. */
    synchronized DecoderCheckpoint loadDecoder(Map<String, TaskLease.FileRef> files) throws IOException {
        Path dir = resolve(files);
        if (!dir.equals(loadedDecoderDir)) {
            loadedDecoder = DecoderCheckpoint.load(dir);
            loadedDecoderDir = dir;
        }
        return loadedDecoder;
    }

    static String key(Map<String, TaskLease.FileRef> files) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(files).forEach((name, ref) -> s.append(name).append(':').append(ref.sha256()).append('\n'));
        return Sha256.hex(s.toString());
    }
}
