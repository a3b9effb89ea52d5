package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "alias", mixinStandardHelpOptions = true,
        description = "Point ALIAS (e.g. production) of model NAME at VERSION (a number, or another alias to copy).",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class ModelAliasCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model.")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "A version number or an existing alias.")
    String version;

    @Parameters(index = "2", paramLabel = "ALIAS", description = "The alias to set ([a-z][a-z0-9_-]*; not 'latest').")
    String alias;

    @Override
    public Integer call() {
        ModelVersionUri target = VersionRef.parse("VERSION", name + "@" + version);
        if (!alias.matches("[a-z][a-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException("ALIAS: '" + alias + "' must match [a-z][a-z0-9_-]{0,63}");
        }
        PlatformClient client = api.client();
        int number = target.numbered() ? Integer.parseInt(target.version())
                : client.get(Service.REGISTRY, VersionRef.path(target)).path("version").asInt();
        JsonNode answer = client.put(Service.REGISTRY, "/api/v1/models/" + target.name() + "/aliases/" + alias,
                JsonMapper.builder().build().createObjectNode().put("version", number));
        spec.commandLine().getOut().println("fedex://models/" + target.name() + "@" + alias + " → version " + number
                + "  (aliases: " + answer.path("aliases") + ")");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
