package dev.fedexlora.coordinator.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;

/**
 * The one bucket of the platform (keys {@code jobs/…} here, {@code models/…} in the registry). Workers never get
 * credentials: they get presigned URLs for exactly the keys of their task.
 */
public class ObjectStore {

    private final MinioClient client;
    private final String bucket;

    public ObjectStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket unless it exists; safe to call repeatedly. */
    public void ensureBucket() {
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
        } catch (MinioException e) {
            throw new ObjectStoreException("cannot create bucket " + bucket, e);
        }
    }

    /** Whether the bucket answers; used by the readiness health indicator. */
    public boolean bucketExists() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (MinioException e) {
            throw new ObjectStoreException("bucket " + bucket + " does not answer", e);
        }
    }

    public String presignPut(String key, Duration expiry) {
        return presign(Http.Method.PUT, key, expiry);
    }

    public String presignGet(String key, Duration expiry) {
        return presign(Http.Method.GET, key, expiry);
    }

    private String presign(Http.Method method, String key, Duration expiry) {
        try {
            return client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                    .method(method).bucket(bucket).object(key)
                    .expiry((int) Math.min(expiry.toSeconds(), TimeUnit.DAYS.toSeconds(7)), TimeUnit.SECONDS)
                    .build());
        } catch (MinioException e) {
            throw new ObjectStoreException("cannot presign " + method + " " + key, e);
        }
    }

    /** The object's bytes, or empty when no object has that key. */
    public Optional<byte[]> read(String key) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return Optional.of(in.readAllBytes());
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw new ObjectStoreException("cannot read " + key, e);
        } catch (MinioException | IOException e) {
            throw new ObjectStoreException("cannot read " + key, e);
        }
    }

    public void write(String key, byte[] content, String contentType) {
        try {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .data(content, content.length)
                    .headers(java.util.Map.of("Content-Type", contentType))
                    .build());
        } catch (MinioException e) {
            throw new ObjectStoreException("cannot write " + key, e);
        }
    }
}
