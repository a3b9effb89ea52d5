package dev.fedexlora.coordinator.pages;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the jobs page, prefix {@code fedex.coordinator.pages}.
 *
 * @param registryUrl the registry's address as a browser reaches it, for links to the versions a job produced
 *                    ({@code FEDEX_REGISTRY_PUBLIC_URL}; default the registry URL the coordinator calls)
 */
@ConfigurationProperties("fedex.coordinator.pages")
record PagesProperties(@DefaultValue("http://localhost:8081") String registryUrl) {
}
