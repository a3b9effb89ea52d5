package dev.fedexlora.registry.version;

import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Checks that files are what their names say before the registry stores them: {@code *.json} parses as a JSON
 * object, {@code *.safetensors} is a valid safetensors file (lora-core's validating reader). A failure is a 400
 * naming the file.
 */
@Component
public class ArtifactValidator {

    private final ObjectMapper json;

    ArtifactValidator(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Validates one file of a job version without holding its tensors: JSON files must be objects, safetensors files
     * a consistent layout (header against the file's length), and {@code residual.safetensors} the residual format
     * with every value finite, checked while it streams: a 7B-sized residual needs no more heap than a small one.
     */
    public void validateVersionFile(String file, Path local) {
        if (file.endsWith(".json")) {
            readJsonObject(file, local, ProblemType.MALFORMED_ARTIFACT);
            return;
        }
        if (!file.endsWith(".safetensors")) {
            return;
        }
        try {
            if (file.equals(Residuals.FILE)) {
                Residuals.check(local, file);
            } else if (SafeTensors.header(local).isEmpty()) {
                throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, file + ": holds no tensors", file);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RegistryException r) {
                throw r;
            }
            String why = String.valueOf(e.getMessage()).replace(local.toString(), file);
            throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, why.startsWith(file) ? why
                    : file + ": not a valid safetensors file: " + why, file);
        }
    }

    /** The PEFT adapter ({@code adapter_config.json} + {@code adapter_model.safetensors}) in {@code dir} reads. */
    public void validateAdapter(Path dir) {
        try {
            PeftAdapters.read(dir);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replace(dir.toString() + "/", "").replace(dir.toString(), "");
            String file = why.contains(PeftAdapters.CONFIG_FILE) ? PeftAdapters.CONFIG_FILE : PeftAdapters.WEIGHTS_FILE;
            throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, "not a PEFT adapter: " + why, file);
        }
    }

    /** The JSON object in {@code local}. @throws RegistryException naming {@code file} when it is not one */
    public JsonNode readJsonObject(String file, Path local, ProblemType type) {
        try {
            JsonNode node = json.readTree(local.toFile());
            if (node == null || !node.isObject()) {
                throw new RegistryException(type, file + ": not a JSON object", file);
            }
            return node;
        } catch (JacksonException e) {
            throw new RegistryException(type, file + ": not valid JSON (" + e.getOriginalMessage() + ")", file);
        }
    }

    /** A temporary directory for one request's files, removed with everything in it on close. */
    public Workspace workspace() {
        try {
            return new Workspace(Files.createTempDirectory("registry-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Workspace(Path dir) implements AutoCloseable {

        public Path file(String name) {
            return dir.resolve(name);
        }

        @Override
        public void close() {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
