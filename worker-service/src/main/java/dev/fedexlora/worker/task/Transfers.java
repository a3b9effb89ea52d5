package dev.fedexlora.worker.task;

import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.worker.WorkerProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Moves files through presigned object-store URLs: the worker holds no credentials. Downloads are verified
 * against the SHA-256 the lease states before they are used.
 */
@Component
class Transfers {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final long maxBytes;

    Transfers(WorkerProperties properties) {
        this.maxBytes = properties.maxDownloadSize().toBytes();
    }

    /**
     * Downloads {@code url} to {@code target} (atomically) when its SHA-256 is {@code sha256}, streaming and hashing
     * on the way; a body longer than {@code fedex.worker.max-download-size} is refused once it passes that length.
     */
    void download(String url, String sha256, Path target) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".download", ".tmp");
        try {
            HttpResponse<InputStream> r = send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String actual;
            try (DigestInputStream in = Sha256.digesting(r.body())) {
                if (r.statusCode() != 200) {
                    throw new IOException("GET " + redact(url) + " answered " + r.statusCode());
                }
                copyAtMost(in, tmp, target.getFileName().toString());
                actual = Sha256.hex(in.getMessageDigest());
            }
            if (sha256 != null && !sha256.equalsIgnoreCase(actual)) {
                throw new IOException(target.getFileName() + " from " + redact(url) + " has SHA-256 " + actual
                        + ", the lease says " + sha256);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void copyAtMost(InputStream in, Path tmp, String name) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                copied += n;
                if (copied > maxBytes) {
                    throw new IOException(name + " is longer than fedex.worker.max-download-size (" + maxBytes
                            + " bytes)");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    void upload(Path file, String url) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("PUT " + file.getFileName() + " to " + redact(url) + " answered " + r.statusCode()
                    + ": " + r.body());
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A presigned URL without its query string, which carries the signature. */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
