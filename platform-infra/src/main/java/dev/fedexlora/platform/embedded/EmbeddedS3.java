package dev.fedexlora.platform.embedded;

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

/**
 * An in-process s3proxy (profile {@code embedded}): a filesystem store under a directory, or in memory. SigV4 is
 * checked with the configured keys, so services talk to it exactly as to a real S3 and presigned URLs work.
 * Started in {@link #start(Path, String, int, String, String)} so the object store client can point at it, and
 * stopped only when its context closes (bean destruction, after the web server has drained): not a lifecycle bean,
 * so a paused context (Spring's test context cache stops idle contexts) keeps its store.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);

    private final S3Proxy proxy;
    private final URI endpoint;
    private volatile boolean running = true;

    private EmbeddedS3(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    /**
     * @param dir directory of the filesystem store, {@code null} for an in-memory one
     * @param port 0 for any free port
     */
    public static EmbeddedS3 start(Path dir, String host, int port, String accessKey, String secretKey)
            throws Exception {
        BlobStore store;
        if (dir == null) {
            store = new TransientNio2BlobStore();
        } else {
            // normalised: s3proxy refuses a root with "." segments as a path traversal attempt
            Path root = dir.toAbsolutePath().normalize();
            Files.createDirectories(root);
            store = new FilesystemNio2BlobStore(root.toString());
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        URI endpoint = URI.create("http://" + host + ":" + proxy.getPort());
        log.info("Embedded s3proxy at {} (store: {})", endpoint, dir == null ? "memory" : dir);
        return new EmbeddedS3(proxy, endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Stops the proxy; idempotent. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            log.warn("stopping s3proxy: {}", e.toString());
        }
        running = false;
    }

    @Override
    public void close() {
        stop();
    }
}
