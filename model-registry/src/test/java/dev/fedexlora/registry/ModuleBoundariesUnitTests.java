package dev.fedexlora.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The registry's feature packages (api, catalog, model, version, export, web) use each other only through what
 * each exposes, and no cycle joins them: {@code model} registers a base checkpoint through {@code version}, and
 * both build on the {@code catalog} of models, which depends on neither. Any cycle, or any reach into a feature's
 * internals, fails here.
 */
class ModuleBoundariesUnitTests {

    @Test
    void featurePackagesHaveNoCyclesAndUseEachOtherThroughTheirApiOnly() {
        ApplicationModules modules = ApplicationModules.of(RegistryApplication.class);
        for (String feature : List.of("api", "catalog", "model", "version", "export", "web")) {
            assertThat(modules.getModuleByName(feature)).as("module %s", feature).isPresent();
        }
        modules.verify();
    }
}
