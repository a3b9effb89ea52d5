package dev.fedexlora.coordinator.pages;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** The jobs page's configuration (package-private) for web slices in other packages. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PagesProperties.class)
public class PagesPropertiesForSlices {
}
