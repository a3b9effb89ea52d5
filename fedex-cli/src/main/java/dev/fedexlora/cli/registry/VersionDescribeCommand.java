package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Set a version's description and/or tags (what is not given stays).",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionDescribeCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VERSION", description = "The version.")
    String version;

    @Option(names = {"-d", "--description"}, paramLabel = "TEXT", description = "The description ('' clears it).")
    String description;

    @Option(names = "--tag", paramLabel = "TAG", description = "A tag (repeatable); replaces the version's tags.")
    List<String> tags;

    @Option(names = "--clear-tags", description = "Remove every tag.")
    boolean clearTags;

    @Override
    public Integer call() {
        ModelVersionUri ref = VersionRef.parse("VERSION", version);
        if (description == null && tags == null && !clearTags) {
            throw new IllegalArgumentException("give --description, --tag or --clear-tags");
        }
        ObjectNode body = JsonMapper.builder().build().createObjectNode();
        if (description != null) {
            body.put("description", description);
        }
        if (tags != null || clearTags) {
            ArrayNode list = body.putArray("tags");
            (tags == null ? List.<String>of() : tags).forEach(list::add);
        }
        JsonNode v = api.client().patch(Service.REGISTRY, VersionRef.path(ref), body);
        spec.commandLine().getOut().println("fedex://models/" + v.path("model").asString() + "/"
                + v.path("version").asInt() + ": " + v.path("description").asString("(no description)") + " "
                + v.path("tags"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
