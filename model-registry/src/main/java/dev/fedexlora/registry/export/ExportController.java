package dev.fedexlora.registry.export;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "export", description = "Versions materialised as full Hugging Face checkpoints")
class ExportController {

    private final Exporter exporter;

    ExportController(Exporter exporter) {
        this.exporter = exporter;
    }

    @PostMapping("/api/v1/models/{name}/versions/{version}/export")
    @Operation(summary = "Export a version: model.safetensors with every residual of its lineage merged into the"
            + " base, config.json, tokenizer.json, and the adapter in PEFT layout (adapter/) on that merged base")
    ExportResponse export(@PathVariable String name, @PathVariable String version) {
        return exporter.export(name, version);
    }
}
