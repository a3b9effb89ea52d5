package dev.fedexlora.registry.version;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** One file of a version, stored in the object store under {@code objectKey}; its checksum never changes. */
@Entity
@Table(name = "artifact")
public class Artifact {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "version_id")
    private ModelVersion version;

    @Column(name = "file_name")
    private String fileName;

    @Column(name = "object_key")
    private String objectKey;

    private String sha256;

    @Column(name = "size_bytes")
    private long size;

    protected Artifact() {
    }

    Artifact(ModelVersion version, String fileName, String objectKey, String sha256, long size) {
        this.version = version;
        this.fileName = fileName;
        this.objectKey = objectKey;
        this.sha256 = sha256;
        this.size = size;
    }

    public String fileName() {
        return fileName;
    }

    public String objectKey() {
        return objectKey;
    }

    public String sha256() {
        return sha256;
    }

    public long size() {
        return size;
    }
}
