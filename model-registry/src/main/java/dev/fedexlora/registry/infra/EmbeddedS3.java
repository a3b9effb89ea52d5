package dev.fedexlora.registry.infra;

import dev.fedexlora.registry.RegistryProperties;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** The running embedded S3; started eagerly so the object store client can point at it. */
public final class EmbeddedS3 implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);

    private final S3Proxy proxy;
    private final URI endpoint;
    private volatile boolean running = true;

    private EmbeddedS3(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    static EmbeddedS3 start(RegistryProperties properties) throws Exception {
        RegistryProperties.Embedded cfg = properties.embedded();
        BlobStore store;
        if (cfg.s3Dir() == null || cfg.s3Dir().isBlank()) {
            store = new TransientNio2BlobStore();
        } else {
            // normalised: s3proxy refuses a root with "." segments as a path traversal attempt
            Path dir = Path.of(cfg.s3Dir()).toAbsolutePath().normalize();
            createDirectories(dir);
            store = new FilesystemNio2BlobStore(dir.toString());
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://" + cfg.s3Host() + ":" + cfg.s3Port()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, properties.s3().accessKey(),
                        properties.s3().secretKey())
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        URI endpoint = URI.create("http://" + cfg.s3Host() + ":" + proxy.getPort());
        log.info("Embedded s3proxy at {} (store: {})", endpoint,
                cfg.s3Dir() == null || cfg.s3Dir().isBlank() ? "memory" : cfg.s3Dir());
        return new EmbeddedS3(proxy, endpoint);
    }

    private static void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void start() {
        // started in the factory method: the object store needs the port before beans are started
    }

    @Override
    public void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            log.warn("stopping s3proxy: {}", e.toString());
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stop after the web server has drained its requests
        return Integer.MIN_VALUE + 100;
    }
}
