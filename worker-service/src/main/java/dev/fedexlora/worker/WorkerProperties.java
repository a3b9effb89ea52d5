package dev.fedexlora.worker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import dev.fedexlora.core.protocol.Task;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of a worker ({@code fedex.worker.*}, each settable by environment variable, see application.yml).
 *
 * @param name              the name the worker registers under (re-registering keeps its id)
 * @param coordinatorUrl    base URL of the coordinator (the API is under {@code /api/v1})
 * @param token             bearer token with the {@code worker} role; blank sends none
 * @param enabled           whether the lease loop runs at all
 * @param pollInterval      wait between lease polls when the coordinator has nothing to do, and after an error
 * @param heartbeatInterval renewal period of a held lease while training
 * @param deliveryRetry     how long a finished task's upload and completion are retried (backoff from 1 s to 30 s)
 *                          while the coordinator or the object store is unreachable; a lost lease stops it at once
 * @param cacheDir          base checkpoints by content hash, and task scratch space
 * @param threads           libtorch intra-op threads
 * @param heldOutFraction   share of each client's examples held out for its evaluation
 * @param maxLength         tokens per sequence in training and evaluation
 * @param cacheFrozenLayers when LoRA starts above layer 0, compute the frozen lower layers once per example (without
 *                          dropout) and keep their output in memory across tasks and rounds
 * @param frozenCacheSize   memory for those outputs; the least recently used go first
 * @param exactMatchLimit   causal-LM tasks: held-out prompt/response pairs whose greedy answer is generated for
 *                          {@code exactMatch} (one decoding each; 0 skips the metric)
 * @param maxDownloadSize   the largest file a download from a lease may be (a base checkpoint's shard, a residual, an
 *                          adapter): a longer body is refused before it fills the disk
 * @param clients           clients with their own data files
 * @param partition         clients made by partitioning one data file (none when {@code clients} is 0)
 */
@ConfigurationProperties("fedex.worker")
public record WorkerProperties(@DefaultValue("worker") String name,
                               @DefaultValue("http://localhost:8080") URI coordinatorUrl,
                               String token,
                               @DefaultValue("true") boolean enabled,
                               @DefaultValue("2s") Duration pollInterval,
                               @DefaultValue("10s") Duration heartbeatInterval,
                               @DefaultValue("30m") Duration deliveryRetry,
                               Path cacheDir,
                               @DefaultValue("2") int threads,
                               @DefaultValue("0.1") double heldOutFraction,
                               @DefaultValue("128") int maxLength,
                               @DefaultValue("true") boolean cacheFrozenLayers,
                               @DefaultValue("512MB") DataSize frozenCacheSize,
                               @DefaultValue("64") int exactMatchLimit,
                               @DefaultValue("64GB") DataSize maxDownloadSize,
                               List<Client> clients,
                               Partition partition) {

    public WorkerProperties {
        clients = clients == null ? List.of() : List.copyOf(clients);
        cacheDir = cacheDir == null ? Path.of(System.getProperty("java.io.tmpdir"), "fedex-worker") : cacheDir;
    }

    /**
     * One hosted client.
     *
     * @param clientId the id the coordinator's jobs name
     * @param dataset  the dataset name jobs ask for
     * @param path     its JSONL file: {@code {"text", "label"}} per line for SEQUENCE_CLASSIFICATION;
     *                 {@code {"prompt", "response"}} or {@code {"text"}} per line for CAUSAL_LM
     * @param task     the task the data serves (default SEQUENCE_CLASSIFICATION); a job's task must match
     */
    public record Client(String clientId, String dataset, Path path,
                         @DefaultValue("SEQUENCE_CLASSIFICATION") Task task) {

        public Client {
            task = Task.orDefault(task);
        }
    }

    /**
     * Clients {@code clientPrefix + i} for {@code i < clients}, each with one shard of {@code source}.
     *
     * @param source       JSONL file to partition
     * @param dataset      the dataset name of every shard
     * @param clients      number of clients (0: no partition)
     * @param strategy     {@code iid}, {@code by-label} or {@code dirichlet}
     * @param alpha        Dirichlet concentration
     * @param seed         partition seed (same seed, same shards on every worker)
     * @param clientPrefix prefix of the client ids
     */
    public record Partition(Path source, @DefaultValue("wordnet-nouns") String dataset, @DefaultValue("0") int clients,
                            @DefaultValue("dirichlet") String strategy, @DefaultValue("0.5") double alpha,
                            @DefaultValue("42") long seed, @DefaultValue("client-") String clientPrefix) {
    }
}
