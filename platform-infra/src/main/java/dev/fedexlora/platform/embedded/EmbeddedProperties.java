package dev.fedexlora.platform.embedded;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The development servers of the profile {@code embedded}, prefix {@code fedex.embedded}
 * (environment {@code FEDEX_EMBEDDED_*}). Never used without that profile.
 *
 * @param dir          where the embedded PostgreSQL keeps {@code <postgresName>} and the s3proxy {@code s3};
 *                     blank: a temporary database removed on shutdown and an in-memory store (tests)
 * @param postgresName the database directory under {@code dir}, one per service
 * @param postgresPort port of the embedded PostgreSQL, 0 for any free one
 * @param s3           whether this service starts the embedded s3proxy (when {@code fedex.s3.endpoint} is blank)
 * @param s3Port       port of the embedded s3proxy (fixed by default, so presigned URLs survive a restart); 0: any
 * @param s3Host       host the embedded s3proxy listens on and appears in presigned URLs under
 */
@ConfigurationProperties("fedex.embedded")
public record EmbeddedProperties(@DefaultValue("./data") String dir, @DefaultValue("postgres") String postgresName,
                                 @DefaultValue("0") int postgresPort, @DefaultValue("true") boolean s3,
                                 @DefaultValue("9000") int s3Port, @DefaultValue("127.0.0.1") String s3Host) {

    public boolean persistent() {
        return dir != null && !dir.isBlank();
    }
}
