package dev.fedexlora.coordinator.security;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.coordinator.pages.PagesPropertiesForSlices;

/**
 * The production security configuration (package-private) for web slices in other packages, with the
 * coordinator's configuration properties it and the controllers read (tokens, worker credentials, pages).
 */
@Configuration(proxyBeanMethods = false)
@Import({SecurityConfiguration.class, PagesPropertiesForSlices.class})
@EnableConfigurationProperties(CoordinatorProperties.class)
public class ApiSecurityForSlices {
}
