package dev.fedexlora.worker.client;

import dev.fedexlora.core.protocol.Task;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.worker.WorkerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * The clients this worker hosts, each with its own local data, loaded once at start-up from the configured files
 * or shards of one partitioned file. The data never leaves the worker; only example counts are announced. A
 * client's dataset serves one task: labelled text for SEQUENCE_CLASSIFICATION, prompt/response or text lines for
 * CAUSAL_LM ({@link LmData}).
 */
@Component
public class LocalClients {

    /**
     * One client's data, per dataset name: classification splits and causal-LM splits (a name is one or the other).
     */
    public record LocalClient(String clientId, Map<String, Split> datasets, Map<String, LmSplit> lmDatasets) {
    }

    public record Split(List<Example> train, List<Example> heldOut) {
    }

    /** A causal-LM dataset: its training lines and its held-out lines. */
    public record LmSplit(List<LmData.Example> train, List<LmData.Example> heldOut) {
    }

    private final Map<String, LocalClient> clients = new LinkedHashMap<>();

    LocalClients(WorkerProperties properties) {
        try {
            for (WorkerProperties.Client c : properties.clients()) {
                if (c.task() == Task.CAUSAL_LM) {
                    addLm(c.clientId(), c.dataset(), LmData.read(c.path()), properties.heldOutFraction());
                } else {
                    add(c.clientId(), c.dataset(), Jsonl.read(c.path()), properties.heldOutFraction());
                }
            }
            WorkerProperties.Partition p = properties.partition();
            if (p != null && p.clients() > 0) {
                if (p.source() == null) {
                    throw new IllegalStateException("fedex.worker.partition.source is required when clients > 0");
                }
                List<List<Example>> shards = Partitioner.split(Jsonl.read(p.source()), p.clients(),
                        Partitioner.Strategy.parse(p.strategy()), p.alpha(), p.seed());
                for (int i = 0; i < shards.size(); i++) {
                    add(p.clientPrefix() + i, p.dataset(), shards.get(i), properties.heldOutFraction());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void add(String clientId, String dataset, List<Example> examples, double heldOut) {
        List<List<Example>> split = Partitioner.trainTest(examples, heldOut, clientId.hashCode());
        LocalClient c = client(clientId, dataset);
        c.datasets().put(dataset, new Split(split.get(0), split.get(1)));
    }

    private void addLm(String clientId, String dataset, List<LmData.Example> examples, double heldOut) {
        if (heldOut < 0 || heldOut >= 1) {
            throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + heldOut);
        }
        // The same seeded split as the classification data's: the last share of a shuffle is held out.
        List<LmData.Example> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, new Random(clientId.hashCode()));
        int train = shuffled.size() - (int) Math.round(shuffled.size() * heldOut);
        LocalClient c = client(clientId, dataset);
        c.lmDatasets().put(dataset, new LmSplit(List.copyOf(shuffled.subList(0, train)),
                List.copyOf(shuffled.subList(train, shuffled.size()))));
    }

    private LocalClient client(String clientId, String dataset) {
        // A dataset configured again replaces the earlier one, whichever task it served.
        LocalClient c = clients.computeIfAbsent(clientId,
                id -> new LocalClient(id, new LinkedHashMap<>(), new LinkedHashMap<>()));
        c.datasets().remove(dataset);
        c.lmDatasets().remove(dataset);
        return c;
    }

    public Collection<LocalClient> all() {
        return clients.values();
    }

    public Optional<LocalClient> get(String clientId) {
        return Optional.ofNullable(clients.get(clientId));
    }

    /** What the worker announces: per client, per dataset, the training examples it holds. */
    public List<Map.Entry<String, Map<String, Long>>> announcement() {
        List<Map.Entry<String, Map<String, Long>>> out = new ArrayList<>();
        for (LocalClient c : clients.values()) {
            Map<String, Long> counts = new LinkedHashMap<>();
            c.datasets().forEach((name, split) -> counts.put(name, (long) split.train().size()));
            c.lmDatasets().forEach((name, split) -> counts.put(name, (long) split.train().size()));
            out.add(Map.entry(c.clientId(), counts));
        }
        return out;
    }
}
