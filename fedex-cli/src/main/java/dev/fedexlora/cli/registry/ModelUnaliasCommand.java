package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "unalias", mixinStandardHelpOptions = true, description = "Remove ALIAS of model NAME ('latest' stays).",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class ModelUnaliasCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The model.")
    String name;

    @Parameters(index = "1", paramLabel = "ALIAS", description = "The alias to remove.")
    String alias;

    @Override
    public Integer call() {
        ModelVersionUri ref = VersionRef.parse("ALIAS", name + "@" + alias);
        api.client().delete(Service.REGISTRY, "/api/v1/models/" + ref.name() + "/aliases/" + ref.version());
        spec.commandLine().getOut().println("removed alias " + ref.version() + " of " + ref.name());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
