package dev.fedexlora.platform.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;

import dev.fedexlora.core.checksum.Sha256;

/**
 * The platform's one bucket on S3 (keys {@code jobs/…} written by workers through the coordinator's presigned URLs,
 * {@code models/…} written by the registry), through the MinIO client.
 *
 * <p>One error model: a key with no object is an {@link ObjectNotFoundException} from every read; {@link #stat}
 * is the one way to ask whether an object exists. Every other failure (unreachable store, refused request) is an
 * {@link ObjectStoreException}. Every write and every streamed read returns the SHA-256 and size of the bytes that
 * went through, computed on the way, so no object is read a second time to check it. Objects larger than
 * {@link #MULTIPART_THRESHOLD} (64 MiB) are uploaded in parts of {@link #PART_SIZE} (S3 multipart), one part after the
 * other, so multi-GB checkpoints stream through one part-sized buffer (the MinIO client holds the part it signs).
 */
public class ObjectStore {

    /** Objects larger than this are uploaded in parts (S3 multipart); smaller ones in one request. */
    public static final long MULTIPART_THRESHOLD = 64L << 20;
    /**
     * Default part size of multipart uploads (S3 allows 5 MiB to 5 GiB, at most 10,000 parts: 160 GB here). The
     * client holds the part it signs, so this, not the object's size, is what an upload costs in heap.
     */
    public static final long PART_SIZE = 16L << 20;

    private final MinioClient client;
    private final MinioClient presigner;
    private final String bucket;
    private final long partSize;
    private final long multipartThreshold;

    /**
     * @param client    the client on the store's endpoint
     * @param presigner the client whose endpoint appears in presigned URLs (the public one; may be {@code client})
     * @param bucket    the bucket
     */
    public ObjectStore(MinioClient client, MinioClient presigner, String bucket) {
        this(client, presigner, bucket, PART_SIZE, MULTIPART_THRESHOLD);
    }

    public ObjectStore(MinioClient client, String bucket) {
        this(client, client, bucket, PART_SIZE, MULTIPART_THRESHOLD);
    }

    /** @param partSize part size of multipart uploads, at least 5 MiB; objects larger than it go in parts */
    public ObjectStore(MinioClient client, MinioClient presigner, String bucket, long partSize) {
        this(client, presigner, bucket, partSize, partSize);
    }

    /**
     * @param partSize           part size of multipart uploads, at least 5 MiB
     * @param multipartThreshold objects larger than this go in parts
     */
    public ObjectStore(MinioClient client, MinioClient presigner, String bucket, long partSize,
                       long multipartThreshold) {
        this.multipartThreshold = Math.max(partSize, multipartThreshold);
        if (partSize < 5L << 20) {
            throw new IllegalArgumentException("S3 parts are at least 5 MiB, not " + partSize + " bytes");
        }
        this.client = client;
        this.presigner = presigner;
        this.bucket = bucket;
        this.partSize = partSize;
    }

    public String bucket() {
        return bucket;
    }

    /** Whether the bucket is there (readiness). @throws ObjectStoreException when the store does not answer */
    public boolean bucketExists() {
        return call("check bucket", bucket, () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    /** Creates the bucket unless it exists; safe to call repeatedly. */
    public void ensureBucket() {
        call("create bucket", bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    /** Stores {@code data} under {@code key}, replacing any object there. */
    public StoredObject put(String key, byte[] data) {
        call("put", key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .data(data, data.length).contentType(contentType(key)).build()));
        return new StoredObject(key, Sha256.hex(data), data.length);
    }

    /** Uploads {@code file} under {@code key}, streamed (in parts when large) and hashed on the way. */
    public StoredObject put(String key, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return put(key, in, Files.size(file));
        } catch (IOException e) {
            throw new ObjectStoreException("reading " + file + " for upload to " + key, e);
        }
    }

    /**
     * Uploads {@code size} bytes (or, with {@code size} -1, everything up to the end) of {@code in} under {@code key},
     * in parts when larger than the part size, hashing on the way. The stream is not closed.
     */
    public StoredObject put(String key, InputStream in, long size) {
        DigestInputStream digesting = Sha256.digesting(in);
        call("put", key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(digesting, size, size >= 0 && size <= multipartThreshold ? -1L : partSize)
                // one part at a time: the client buffers each part it uploads, so parallel parts multiply the heap
                // an upload needs (parallel 64 MiB parts overflowed a 256 MiB registry)
                .parallelUploads(1)
                .contentType(contentType(key)).build()));
        long stored = size >= 0 ? size : stat(key).map(ObjectInfo::size).orElse(-1L);
        return new StoredObject(key, Sha256.hex(digesting.getMessageDigest()), stored);
    }

    /** Writes the bytes of an object into a stream; the stream is the upload's, so nothing is held but a buffer. */
    @FunctionalInterface
    public interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Uploads exactly {@code size} bytes that {@code writer} produces under {@code key}, in parts when larger than
     * the part size, hashing on the way. The writer runs on its own thread and writes into a pipe the upload reads,
     * so an object of any size passes through a fixed buffer. A writer that fails, or writes another number of bytes,
     * fails the upload and leaves no object under {@code key}; its exception is rethrown (unchecked ones as they are,
     * an {@link IOException} as the cause of an {@link ObjectStoreException}).
     */
    public StoredObject write(String key, long size, BodyWriter writer) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try (java.io.PipedInputStream pipe = new java.io.PipedInputStream(1 << 20)) {
            java.io.PipedOutputStream sink = new java.io.PipedOutputStream(pipe);
            Thread producer = Thread.ofVirtual().name("object-writer").start(() -> {
                try (OutputStream out = new java.io.BufferedOutputStream(sink, 1 << 16)) {
                    writer.writeTo(out);
                } catch (Throwable t) {
                    failure.set(t);
                    try {
                        pipe.close(); // the upload reads an error instead of waiting for bytes that will not come
                    } catch (IOException ignored) {
                        // closing a pipe does not fail
                    }
                }
            });
            StoredObject stored;
            try {
                stored = put(key, pipe, size);
            } catch (RuntimeException e) {
                pipe.close(); // a writer blocked on a full pipe fails instead of waiting for a reader that left
                producer.join();
                rethrow(failure.get(), key);
                throw e;
            }
            producer.join();
            rethrow(failure.get(), key);
            return stored;
        } catch (IOException e) {
            throw new ObjectStoreException("writing " + key, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ObjectStoreException("writing " + key, e);
        }
    }

    private void rethrow(Throwable t, String key) {
        if (t == null) {
            return;
        }
        delete(key);
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new ObjectStoreException("writing " + key, t);
    }

    /**
     * A stream of {@code length} bytes of the object from {@code offset} (an HTTP range read); the caller closes it.
     * @throws ObjectNotFoundException when there is no object under {@code key}
     */
    public InputStream openRange(String key, long offset, long length) {
        return call("get range", key, () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                .offset(offset).length(length).build()));
    }

    /** A stream of the whole object; the caller closes it. @throws ObjectNotFoundException */
    public InputStream openStream(String key) {
        return open(key);
    }

    /**
     * The whole object in memory; for objects whose size the caller has bounded (the coordinator's uploads).
     * @throws ObjectNotFoundException when there is no object under {@code key}
     */
    public byte[] read(String key) {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ObjectStoreException("reading " + key, e);
        }
    }

    /** Streams the object into {@code out} (left open), hashing on the way. @throws ObjectNotFoundException */
    public StoredObject get(String key, OutputStream out) {
        DigestOutputStream digesting = Sha256.digesting(out);
        long size;
        try (InputStream in = open(key)) {
            size = in.transferTo(digesting);
            digesting.flush();
        } catch (IOException e) {
            throw new ObjectStoreException("reading " + key, e);
        }
        return new StoredObject(key, Sha256.hex(digesting.getMessageDigest()), size);
    }

    /** Streams the object into the file {@code target}, hashing on the way. @throws ObjectNotFoundException */
    public StoredObject download(String key, Path target) {
        try (OutputStream out = Files.newOutputStream(target)) {
            return get(key, out);
        } catch (IOException e) {
            throw new ObjectStoreException("writing " + target + " from " + key, e);
        }
    }

    /** Reads the whole object for its checksum and size, keeping nothing. @throws ObjectNotFoundException */
    public StoredObject hash(String key) {
        return get(key, OutputStream.nullOutputStream());
    }

    /** The object's ETag and size, or empty when there is none: the one way to ask whether a key exists. */
    public Optional<ObjectInfo> stat(String key) {
        try {
            StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return Optional.of(new ObjectInfo(key, r.etag(), r.size()));
        } catch (ErrorResponseException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw new ObjectStoreException("stat " + key, e);
        } catch (MinioException e) {
            throw new ObjectStoreException("stat " + key, e);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new ObjectStoreException("stat " + key, e.getCause() != null ? e.getCause() : e);
        }
    }

    /** The keys under {@code prefix}, recursively, in key order. */
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .recursive(true).build())) {
            keys.add(call("list", prefix, () -> r.get().objectName()));
        }
        keys.sort(null);
        return keys;
    }

    /** Removes the object; removing a missing object is not an error. */
    public void delete(String key) {
        call("delete", key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /** A URL that downloads {@code key} without credentials until {@code expiry} (at most 7 days) has passed. */
    public String presignGet(String key, Duration expiry) {
        return presign(Http.Method.GET, key, expiry);
    }

    /** A URL that uploads to {@code key} without credentials until {@code expiry} (at most 7 days) has passed. */
    public String presignPut(String key, Duration expiry) {
        return presign(Http.Method.PUT, key, expiry);
    }

    private String presign(Http.Method method, String key, Duration expiry) {
        int seconds = (int) Math.min(expiry.toSeconds(), TimeUnit.DAYS.toSeconds(7));
        return call("presign " + method, key, () -> presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs
                .builder().method(method).bucket(bucket).object(key).expiry(seconds, TimeUnit.SECONDS).build()));
    }

    private InputStream open(String key) {
        return call("get", key, () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    /** Key, ETag and size of a stored object. */
    public record ObjectInfo(String key, String etag, long size) {
    }

    private interface StoreCall<T> {
        T run() throws MinioException;
    }

    private static <T> T call(String what, String key, StoreCall<T> call) {
        try {
            return call.run();
        } catch (ErrorResponseException e) {
            if (isNotFound(e)) {
                throw new ObjectNotFoundException(key);
            }
            throw new ObjectStoreException(what + " " + key, e);
        } catch (MinioException e) {
            throw new ObjectStoreException(what + " " + key, e);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // the MinIO client wraps I/O failures (connection refused, reset) in unchecked exceptions
            throw new ObjectStoreException(what + " " + key, e.getCause() != null ? e.getCause() : e);
        }
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse() == null ? null : e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || (e.response() != null && e.response().code() == 404 && !"NoSuchBucket".equals(code));
    }

    private static String contentType(String key) {
        return key.endsWith(".json") ? "application/json" : "application/octet-stream";
    }
}
