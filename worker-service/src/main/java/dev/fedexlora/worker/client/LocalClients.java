package dev.fedexlora.worker.client;

import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.worker.WorkerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The clients this worker hosts, each with its own local data, loaded once at start-up from the configured files
 * or shards of one partitioned file. The data never leaves the worker; only example counts are announced.
 */
@Component
public class LocalClients {

    /** One client's data: its training examples and its held-out split, per dataset name. */
    public record LocalClient(String clientId, Map<String, Split> datasets) {
    }

    public record Split(List<Example> train, List<Example> heldOut) {
    }

    private final Map<String, LocalClient> clients = new LinkedHashMap<>();

    LocalClients(WorkerProperties properties) {
        try {
            for (WorkerProperties.Client c : properties.clients()) {
                add(c.clientId(), c.dataset(), Jsonl.read(c.path()), properties.heldOutFraction());
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
        Map<String, Split> datasets = new LinkedHashMap<>(
                clients.containsKey(clientId) ? clients.get(clientId).datasets() : Map.of());
        datasets.put(dataset, new Split(split.get(0), split.get(1)));
        clients.put(clientId, new LocalClient(clientId, datasets));
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
            out.add(Map.entry(c.clientId(), counts));
        }
        return out;
    }
}
