package dev.fedexlora.coordinator.pages;

import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The jobs page. It is a static shell (HTML and one script, no data): the browser asks the person for an API
 * token with the viewer role, keeps it in the tab's session storage, and reads everything through the same
 * token-checked API the CLI uses, following a job's event stream for live updates. So the page opens no data to
 * anonymous callers; only the registry's public address for links is served without a token.
 */
@Controller
class JobsPageController {

    private final PagesProperties properties;

    JobsPageController(PagesProperties properties) {
        this.properties = properties;
    }

    @GetMapping({"/jobs", "/jobs/"})
    String page() {
        return "forward:/jobs/index.html";
    }

    @GetMapping("/jobs/settings.json")
    @ResponseBody
    Map<String, String> settings() {
        return Map.of("registryUrl", properties.registryUrl().replaceAll("/+$", ""));
    }
}
