package dev.fedexlora.coordinator.task;

import dev.fedexlora.core.protocol.TaskLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.registry.BaseCheckpoints;
import dev.fedexlora.coordinator.registry.RegistryClient;
import dev.fedexlora.coordinator.registry.RegistryCallException;

/**
 * The global state a lease points at, from the registry: the base checkpoint's files (version 0: {@code config.json},
 * {@code tokenizer.json} where it has one, and its weights, one {@code model.safetensors} or the index and every
 * shard it names, as {@link BaseCheckpoints#weightFiles} checked them), the residual of
 * every version between the base and the job's current version (versions whose residual was zero have none and
 * are left out), and that version's adapter (none while the job
 * still stands on the base). Presigned answers are cached for a few minutes: every lease of a round asks for the
 * same files.
 */
@Component
class GlobalStateResolver {

    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final String RESIDUAL = "residual.safetensors";
    private static final Duration CACHE = Duration.ofMinutes(5);

    private final RegistryClient registry;
    private final BaseCheckpoints checkpoints;
    private final Clock clock;
    private final Map<String, Cached<?>> cache = new ConcurrentHashMap<>();

    GlobalStateResolver(RegistryClient registry, BaseCheckpoints checkpoints, Clock clock) {
        this.registry = registry;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    private record Cached<T>(T value, Instant until) {
    }

    TaskLease.GlobalState resolve(String model, int version) {
        Map<String, TaskLease.FileRef> base = new LinkedHashMap<>();
        List<String> files = new ArrayList<>(List.of(CONFIG, TOKENIZER));
        files.addAll(checkpoints.weightFiles(model));
        for (String file : files) {
            RegistryClient.PresignedArtifact a = presignOrNull(model, 0, file, !file.equals(TOKENIZER));
            if (a != null) {
                base.put(file, new TaskLease.FileRef(a.url(), a.sha256()));
            }
        }
        List<TaskLease.ResidualRef> residuals = new ArrayList<>();
        Map<String, TaskLease.FileRef> adapter = null;
        if (version > 0) {
            for (int v : cached("chain " + model + " " + version, () -> registry.residualChain(model, version))) {
                // A version without a residual file changed no base weight (its residual was zero).
                RegistryClient.PresignedArtifact a = presignOrNull(model, v, RESIDUAL, false);
                if (a != null) {
                    residuals.add(new TaskLease.ResidualRef(v, a.url(), a.sha256()));
                }
            }
            adapter = new LinkedHashMap<>();
            for (String file : UploadVerifier.FILES) {
                RegistryClient.PresignedArtifact a = presignOrNull(model, version, file, true);
                adapter.put(file, new TaskLease.FileRef(a.url(), a.sha256()));
            }
        }
        return new TaskLease.GlobalState(new TaskLease.ModelRef(model, version), base, residuals, adapter);
    }

    private RegistryClient.PresignedArtifact presignOrNull(String model, int version, String file, boolean required) {
        try {
            return cached("presign " + model + " " + version + " " + file, () -> registry.presign(model, version, file));
        } catch (RegistryCallException e) {
            if (e.notFound() && !required) {
                return null;
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(String key, java.util.function.Supplier<T> load) {
        Instant now = clock.instant();
        Cached<?> c = cache.get(key);
        if (c != null && c.until().isAfter(now)) {
            return (T) c.value();
        }
        T value = load.get();
        cache.put(key, new Cached<>(value, now.plus(CACHE)));
        return value;
    }
}
