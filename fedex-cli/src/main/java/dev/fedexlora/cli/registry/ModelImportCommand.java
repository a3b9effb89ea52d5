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
        description = "Register a Hugging Face checkpoint directory (config.json, model.safetensors, tokenizer.json)"
                + " as a new model's version 0. The registry validates every file and names the one at fault.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class ModelImportCommand implements Callable<Integer> {

    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

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

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a directory");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (String f : FILES) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + ": missing; a checkpoint directory holds "
                        + String.join(", ", FILES) + " (model.safetensors.index.json shards are not imported yet)");
            }
            files.put(f, p);
        }
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
