package dev.fedexlora.registry.catalog;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/** A registered model. Never serialised to the API: controllers answer with records. */
@Entity
@Table(name = "model")
public class Model {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;

    private String architecture;

    @Column(name = "base_checkpoint")
    private String baseCheckpoint;

    @Column(name = "created_at")
    private Instant createdAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "model_tag", joinColumns = @JoinColumn(name = "model_id"))
    @Column(name = "tag")
    private Set<String> tags = new TreeSet<>();

    protected Model() {
    }

    public Model(String name, String architecture, String baseCheckpoint, Instant createdAt) {
        this.name = name;
        this.architecture = architecture;
        this.baseCheckpoint = baseCheckpoint;
        this.createdAt = createdAt;
    }

    public Long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String architecture() {
        return architecture;
    }

    public String baseCheckpoint() {
        return baseCheckpoint;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Set<String> tags() {
        return new TreeSet<>(tags);
    }

    public void replaceTags(Set<String> newTags) {
        tags.clear();
        tags.addAll(newTags);
    }
}
