package dev.fedexlora.registry.version;

import dev.fedexlora.registry.catalog.Model;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One immutable version of a model. Metrics and clients are stored as the JSON the coordinator sent; the
 * version has no setters because nothing about it changes after registration.
 */
@Entity
@Table(name = "model_version")
public class ModelVersion {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id")
    private Model model;

    private int number;

    @Column(name = "parent_number")
    private Integer parentNumber;

    @Enumerated(EnumType.STRING)
    @Column(name = "source_kind")
    private SourceKind sourceKind;

    @Column(name = "source_job_id")
    private String sourceJobId;

    @Column(name = "source_round")
    private Integer sourceRound;

    private String method;

    @Column(name = "metrics_json")
    private String metricsJson;

    @Column(name = "clients_json")
    private String clientsJson;

    @Column(name = "exactness_error")
    private Double exactnessError;

    @Column(name = "created_at")
    private Instant createdAt;

    @OneToMany(mappedBy = "version", cascade = CascadeType.ALL, fetch = FetchType.EAGER)
    @OrderBy("fileName")
    private List<Artifact> artifacts = new ArrayList<>();

    protected ModelVersion() {
    }

    ModelVersion(Model model, int number, Integer parentNumber, SourceKind sourceKind, String sourceJobId,
                 Integer sourceRound, String method, String metricsJson, String clientsJson,
                 Double exactnessError, Instant createdAt) {
        this.model = model;
        this.number = number;
        this.parentNumber = parentNumber;
        this.sourceKind = sourceKind;
        this.sourceJobId = sourceJobId;
        this.sourceRound = sourceRound;
        this.method = method;
        this.metricsJson = metricsJson;
        this.clientsJson = clientsJson;
        this.exactnessError = exactnessError;
        this.createdAt = createdAt;
    }

    void addArtifact(String fileName, String objectKey, String sha256, long size) {
        artifacts.add(new Artifact(this, fileName, objectKey, sha256, size));
    }

    public Long id() {
        return id;
    }

    public Model model() {
        return model;
    }

    public int number() {
        return number;
    }

    public Optional<Integer> parentNumber() {
        return Optional.ofNullable(parentNumber);
    }

    public SourceKind sourceKind() {
        return sourceKind;
    }

    public String sourceJobId() {
        return sourceJobId;
    }

    public Integer sourceRound() {
        return sourceRound;
    }

    public String method() {
        return method;
    }

    public String metricsJson() {
        return metricsJson;
    }

    public String clientsJson() {
        return clientsJson;
    }

    public Double exactnessError() {
        return exactnessError;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public List<Artifact> artifacts() {
        return List.copyOf(artifacts);
    }

    public Optional<Artifact> artifact(String fileName) {
        return artifacts.stream().filter(a -> a.fileName().equals(fileName)).findFirst();
    }
}
