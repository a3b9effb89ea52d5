package dev.fedexlora.registry.infra;

import dev.fedexlora.registry.RegistryProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Starts an in-process s3proxy (filesystem store, or in memory when the directory is blank) when
 * {@code fedex.registry.s3.endpoint} is not set. SigV4 is checked with the configured access and secret key,
 * so the registry talks to it exactly as to a real S3 and presigned URLs work.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedS3Configuration.NoS3Endpoint.class)
class EmbeddedS3Configuration {

    @Bean
    EmbeddedS3 embeddedS3(RegistryProperties properties) throws Exception {
        return EmbeddedS3.start(properties);
    }

    static class NoS3Endpoint implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String endpoint = context.getEnvironment().getProperty("fedex.registry.s3.endpoint");
            return endpoint == null || endpoint.isBlank();
        }
    }
}
