package dev.fedexlora.coordinator.worker;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /api/v1/workers}: a worker announces the clients it hosts and, per client, its data sets with their
 * example counts. Registering again under the same name with the same credential replaces the announcement and keeps
 * the id; a name another credential registered answers 409.
 */
public record WorkerRegistration(@NotBlank @Size(max = 200) String name,
                                 @NotEmpty @Size(max = 10_000) List<@Valid @NotNull Client> clients) {

    public record Client(@NotBlank @Size(max = 200) String clientId, @NotNull Map<String, Long> datasets) {
    }

    public record Registered(java.util.UUID workerId) {
    }
}
