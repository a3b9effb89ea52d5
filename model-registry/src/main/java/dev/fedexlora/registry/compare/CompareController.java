package dev.fedexlora.registry.compare;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "versions")
class CompareController {

    private final Comparisons comparisons;

    CompareController(Comparisons comparisons) {
        this.comparisons = comparisons;
    }

    @GetMapping("/api/v1/models/{name}/compare")
    @Operation(summary = "Compare two versions (numbers or aliases): metrics, per-layer exactness and deviation,"
            + " lineages and their newest common ancestor")
    VersionComparison compare(@PathVariable String name, @RequestParam String a, @RequestParam String b) {
        return comparisons.compare(name, a, b);
    }
}
