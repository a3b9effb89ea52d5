package dev.fedexlora.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PartitionerUnitTests {

    static List<Example> data(int n, int labels) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Example("text " + i, i % labels));
        }
        return out;
    }

    static Set<Example> union(List<List<Example>> shards) {
        return shards.stream().flatMap(List::stream).collect(Collectors.toSet());
    }

    @Test
    void iidDealsEveryExampleOnceInShardsOfNearlyEqualSize() {
        List<Example> all = data(103, 5);
        List<List<Example>> shards = Partitioner.split(all, 4, Partitioner.Strategy.IID, 0, 1);
        assertThat(shards).extracting(List::size).allMatch(s -> s == 25 || s == 26);
        assertThat(union(shards)).isEqualTo(new HashSet<>(all));
        assertThat(Partitioner.split(all, 4, Partitioner.Strategy.IID, 0, 1)).isEqualTo(shards);
        assertThat(Partitioner.split(all, 4, Partitioner.Strategy.IID, 0, 2)).isNotEqualTo(shards);
    }

    @Test
    void byLabelGivesEachLabelToExactlyOneClient() {
        List<Example> all = data(120, 6);
        List<List<Example>> shards = Partitioner.split(all, 3, Partitioner.Strategy.BY_LABEL, 0, 9);
        List<Set<Integer>> labels = shards.stream()
                .map(s -> s.stream().map(Example::label).collect(Collectors.toSet())).toList();
        assertThat(labels).allMatch(l -> l.size() == 2);
        assertThat(labels.stream().flatMap(Set::stream).distinct().count()).isEqualTo(6);
        assertThat(union(shards)).hasSize(120);
        assertThatThrownBy(() -> Partitioner.split(all, 7, Partitioner.Strategy.BY_LABEL, 0, 9))
                .hasMessageContaining("6 labels cannot cover 7 clients");
    }

    @Test
    void dirichletIsSkewedForSmallAlphaAndDeterministicForASeed() {
        List<Example> all = data(2000, 10);
        List<List<Example>> skewed = Partitioner.split(all, 4, Partitioner.Strategy.DIRICHLET, 0.1, 3);
        List<List<Example>> even = Partitioner.split(all, 4, Partitioner.Strategy.DIRICHLET, 1000, 3);
        assertThat(union(skewed)).hasSize(2000);
        assertThat(union(even)).hasSize(2000);
        assertThat(Partitioner.split(all, 4, Partitioner.Strategy.DIRICHLET, 0.1, 3)).isEqualTo(skewed);
        assertThat(maxLabelShare(skewed)).isGreaterThan(0.5);
        assertThat(maxLabelShare(even)).isLessThan(0.2);
    }

    /** The largest share one label has of any client's shard. */
    static double maxLabelShare(List<List<Example>> shards) {
        double max = 0;
        for (List<Example> s : shards) {
            for (int l = 0; l < 10; l++) {
                int label = l;
                long n = s.stream().filter(e -> e.label() == label).count();
                max = Math.max(max, s.isEmpty() ? 0 : (double) n / s.size());
            }
        }
        return max;
    }

    @Test
    void trainTestHoldsOutTheAskedFraction() {
        List<List<Example>> split = Partitioner.trainTest(data(100, 2), 0.2, 4);
        assertThat(split.get(0)).hasSize(80);
        assertThat(split.get(1)).hasSize(20).doesNotContainAnyElementsOf(split.get(0));
        assertThat(Partitioner.Strategy.parse("dirichlet")).isEqualTo(Partitioner.Strategy.DIRICHLET);
        assertThat(Partitioner.Strategy.parse("by-label")).isEqualTo(Partitioner.Strategy.BY_LABEL);
    }
}
