package dev.fedexlora.cli.platform;

import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.train.data.Partitioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a JSONL data set into one file per client (a seeded Dirichlet draw over labels: small alpha, each client
 * sees few classes), as organisations would each hold their own data. The file name is the client id.
 */
public final class Shards {

    private Shards() {
    }

    static Map<String, Path> write(Path source, Path dir, int clients, double alpha, long seed) throws IOException {
        return write(Jsonl.read(source), dir, "client-", clients, alpha, seed);
    }

    /** As above, from examples in memory, with client ids {@code prefix + i}. */
    public static Map<String, Path> write(List<Example> examples, Path dir, String prefix, int clients, double alpha,
                                          long seed) throws IOException {
        List<List<Example>> parts = Partitioner.split(examples, clients, Partitioner.Strategy.DIRICHLET, alpha, seed);
        Files.createDirectories(dir);
        Map<String, Path> out = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            String client = prefix + i;
            Path file = dir.resolve(client + ".jsonl");
            Jsonl.write(file, parts.get(i));
            out.put(client, file);
        }
        return out;
    }

    /** A data set's name from its file: {@code wordnet-nouns-sample.jsonl} → {@code wordnet-nouns-sample}. */
    public static String datasetName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
    }
}
