package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Register a Hugging Face checkpoint directory (config.json, tokenizer.json, and model.safetensors"
                + " or the shards model-0000K-of-0000N.safetensors with model.safetensors.index.json) as a new model's"
                + " version 0. Files stream from disk; the registry checks shards, index and config against each"
                + " other and names the file at fault.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class ModelImportCommand implements Callable<Integer> {

    static final String INDEX = "model.safetensors.index.json";
    /** Shard names as Hugging Face writes them; the index may name no other file. */
    static final java.util.regex.Pattern SHARD = java.util.regex.Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    static final long MAX_INDEX_BYTES = 64L << 20;

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The checkpoint directory.")
    Path dir;

    @Option(names = "--name", paramLabel = "NAME", description = "The model's name in the registry ([a-z0-9][a-z0-9._-]*;"
            + " default: the directory's name in lower case).")
    String name;

    @Option(names = "--tag", paramLabel = "TAG", description = "A tag for the model (repeatable).")
    List<String> tags = List.of();

    /** config.json, then model.safetensors or the index and every shard it names, then tokenizer.json. */
    static Map<String, Path> checkpointFiles(Path dir) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("config.json", required(dir, "config.json"));
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            files.put(INDEX, index);
            java.util.SortedSet<String> shards = new java.util.TreeSet<>();
            try {
                if (Files.size(index) > MAX_INDEX_BYTES) {
                    throw new IllegalArgumentException(index + ": larger than " + (MAX_INDEX_BYTES >> 20) + " MiB");
                }
                JsonNode map = tools.jackson.databind.json.JsonMapper.builder().build()
                        .readTree(Files.readString(index)).path("weight_map");
                if (!map.isObject() || map.isEmpty()) {
                    throw new IllegalArgumentException(index + ": weight_map is missing or empty");
                }
                for (Map.Entry<String, JsonNode> e : map.properties()) {
                    String shard = e.getValue().asString("");
                    if (!SHARD.matcher(shard).matches()) {
                        throw new IllegalArgumentException(index + ": weight_map['" + e.getKey() + "'] is '" + shard
                                + "', not a shard name model-0000K-of-0000N.safetensors");
                    }
                    shards.add(shard);
                }
            } catch (java.io.IOException | tools.jackson.core.JacksonException e) {
                throw new IllegalArgumentException(index + ": not readable JSON: " + e.getMessage());
            }
            for (String shard : shards) {
                files.put(shard, required(dir, shard));
            }
        } else {
            files.put("model.safetensors", required(dir, "model.safetensors"));
        }
        files.put("tokenizer.json", required(dir, "tokenizer.json"));
        return files;
    }

    private static Path required(Path dir, String file) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": missing; a checkpoint directory holds config.json, tokenizer.json"
                    + " and model.safetensors, or " + INDEX + " and the shards it names");
        }
        return p;
    }

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a directory");
        }
        Map<String, Path> files = checkpointFiles(dir);
        String model = name != null ? name : dir.toAbsolutePath().normalize().getFileName().toString()
                .toLowerCase(java.util.Locale.ROOT);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", model);
        if (!tags.isEmpty()) {
            fields.put("tags", String.join(",", tags));
        }
        JsonNode created = api.client().postMultipart("/api/v1/models", fields, files);
        spec.commandLine().getOut().println("registered fedex://models/" + created.path("name").asString()
                + "/0 (" + created.path("architecture").asString() + ")");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
