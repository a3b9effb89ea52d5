package dev.fedexlora.registry.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The platform's bucket. Writes return the SHA-256 of what was written; reads into a file return the SHA-256 of
 * what was read, so callers compare checksums against what they recorded without a second pass.
 */
public class ObjectStore {

    private final MinioClient client;
    private final MinioClient presigner;
    private final String bucket;
    private final Duration presignExpiry;

    public ObjectStore(MinioClient client, String bucket, Duration presignExpiry) {
        this(client, client, bucket, presignExpiry);
    }

    /** {@code presigner} signs download links (see {@link PublicEndpoint}); {@code client} does everything else. */
    public ObjectStore(MinioClient client, MinioClient presigner, String bucket, Duration presignExpiry) {
        this.client = client;
        this.presigner = presigner;
        this.bucket = bucket;
        this.presignExpiry = presignExpiry;
    }

    public String bucket() {
        return bucket;
    }

    /** Whether the bucket is there (readiness). @throws ObjectStoreException when the store cannot be reached */
    public boolean bucketExists() {
        return call("check bucket " + bucket, () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    /** Creates the bucket when it does not exist; idempotent. */
    public void ensureBucket() {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    /** Uploads {@code file} under {@code key}, replacing any object there. */
    public StoredObject put(String key, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            DigestInputStream digesting = new DigestInputStream(in, sha256());
            call("put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(digesting, size, -1L).contentType(contentType(key)).build()));
            return new StoredObject(key, hex(digesting.getMessageDigest()), size);
        } catch (IOException e) {
            throw new ObjectStoreException("reading " + file + " for upload to " + key, e);
        }
    }

    /** Uploads {@code data} under {@code key}, replacing any object there. */
    public StoredObject put(String key, byte[] data) {
        call("put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .data(data, data.length).contentType(contentType(key)).build()));
        MessageDigest md = sha256();
        md.update(data);
        return new StoredObject(key, hex(md), data.length);
    }

    /** Streams the object at {@code key} into {@code target}, hashing on the way. @throws ObjectNotFoundException */
    public StoredObject download(String key, Path target) {
        MessageDigest md = sha256();
        long size = 0;
        try (GetObjectResponse in = call("get " + key,
                () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
             OutputStream out = Files.newOutputStream(target)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        } catch (IOException e) {
            throw new ObjectStoreException("downloading " + key, e);
        }
        return new StoredObject(key, hex(md), size);
    }

    /** Reads the whole object and returns its checksum and size, keeping nothing. @throws ObjectNotFoundException */
    public StoredObject hash(String key) {
        MessageDigest md = sha256();
        long size = 0;
        try (GetObjectResponse in = call("get " + key,
                () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()))) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                size += n;
            }
        } catch (IOException e) {
            throw new ObjectStoreException("reading " + key, e);
        }
        return new StoredObject(key, hex(md), size);
    }

    /** The object's ETag and size, or empty when there is none. */
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
        }
    }

    /** The keys under {@code prefix}, recursively, in key order. */
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .recursive(true).build())) {
            keys.add(call("list " + prefix, () -> r.get().objectName()));
        }
        keys.sort(null);
        return keys;
    }

    /** Removes the object; removing a missing object is not an error. */
    public void delete(String key) {
        call("delete " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /** A presigned GET URL valid for the configured expiry. */
    public String presignGet(String key) {
        return call("presign " + key, () -> presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                .method(Http.Method.GET).bucket(bucket).object(key)
                .expiry((int) presignExpiry.toSeconds(), TimeUnit.SECONDS).build()));
    }

    /** Key, ETag and size of a stored object. */
    public record ObjectInfo(String key, String etag, long size) {
    }

    private interface StoreCall<T> {
        T run() throws MinioException;
    }

    private <T> T call(String what, StoreCall<T> call) {
        try {
            return call.run();
        } catch (ErrorResponseException e) {
            if (isNotFound(e)) {
                throw new ObjectNotFoundException(what.substring(what.indexOf(' ') + 1));
            }
            throw new ObjectStoreException(what + " failed: " + e.getMessage(), e);
        } catch (MinioException e) {
            throw new ObjectStoreException(what + " failed: " + e.getMessage(), e);
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

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }
}
