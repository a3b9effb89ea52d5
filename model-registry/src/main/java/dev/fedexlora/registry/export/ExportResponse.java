package dev.fedexlora.registry.export;

import java.util.Map;

/**
 * The exported files by name ({@code model.safetensors}, {@code config.json}, {@code tokenizer.json},
 * {@code adapter/adapter_model.safetensors}, {@code adapter/adapter_config.json}), each a presigned download URL
 * with its checksum and size.
 */
public record ExportResponse(String model, int version, Map<String, ExportedFile> files) {

    public record ExportedFile(String url, String sha256, long size) {
    }
}
