package dev.fedexlora.coordinator.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.registry.RegistryApplication;
import dev.fedexlora.registry.model.Models;
import dev.fedexlora.registry.version.SourceKind;

/**
 * The real model-registry application, started in-process on a random port, on its own database of the test
 * PostgreSQL and on the test S3 (same bucket as the coordinator, as in a deployment). The coordinator's
 * {@code application.yml} shadows the registry's on this shared classpath, so the registry gets no config file and
 * every setting it needs on its command line.
 */
public final class InProcessRegistry implements AutoCloseable {

    /** SHA-256 of the development tokens dev-registry-publisher and dev-registry-reader. */
    static final String PUBLISHER_SHA256 = "40a9034c9e1f456aa1a6501e61083ba2dc3b541930345f745469d0559596674f";
    static final String READER_SHA256 = "83ecd766f8a53e6eab748a34aa864e2151f64c40d501a0167cf14614fdf9a7c5";
    /** What a reader presents, for tests that read the registry themselves. */
    public static final String READER_TOKEN = "dev-registry-reader";

    private final ConfigurableApplicationContext context;

    private InProcessRegistry(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static InProcessRegistry start(String databaseUrl) {
        return start(TestInfrastructure.Database.embedded(databaseUrl), TestInfrastructure.bucket());
    }

    /** The registry on any PostgreSQL database and S3 bucket (the Testcontainers variant passes its containers'). */
    public static InProcessRegistry start(TestInfrastructure.Database database, TestInfrastructure.Bucket bucket) {
        String[] args = {
                "--spring.config.name=model-registry-in-coordinator-tests",
                "--spring.application.name=model-registry",
                "--server.port=0",
                "--server.shutdown=immediate",
                "--spring.main.register-shutdown-hook=false",
                "--spring.datasource.url=" + database.url(),
                "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(),
                "--spring.flyway.locations=classpath:db/registry",
                "--spring.flyway.schemas=registry",
                "--spring.flyway.default-schema=registry",
                "--spring.jpa.open-in-view=false",
                "--spring.jpa.hibernate.ddl-auto=validate",
                "--spring.jpa.properties.hibernate.default_schema=registry",
                "--spring.mvc.problemdetails.enabled=true",
                "--spring.threads.virtual.enabled=true",
                "--fedex.s3.endpoint=" + bucket.endpoint(),
                "--fedex.s3.access-key=" + bucket.accessKey(),
                "--fedex.s3.secret-key=" + bucket.secretKey(),
                "--fedex.s3.bucket=" + bucket.name(),
                "--logging.level.org.gaul=warn",
                // the registry's development tokens; the coordinator presents dev-registry-publisher (its default)
                "--fedex.registry.security.tokens[0].name=coordinator",
                "--fedex.registry.security.tokens[0].role=PUBLISHER",
                "--fedex.registry.security.tokens[0].sha256=" + PUBLISHER_SHA256,
                "--fedex.registry.security.tokens[1].name=reader",
                "--fedex.registry.security.tokens[1].role=READER",
                "--fedex.registry.security.tokens[1].sha256=" + READER_SHA256,
        };
        return new InProcessRegistry(new SpringApplicationBuilder(RegistryApplication.class).run(args));
    }

    public String url() {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /**
     * Registers a base model (version 0) the way {@code POST /models} does: a tiny BERT-layout checkpoint whose
     * query and value weights are {@code hidden × hidden}.
     */
    public void addBaseModel(String name, int hidden) {
        try {
            Path dir = Files.createTempDirectory("base-" + name);
            Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"BertForSequenceClassification\"],"
                    + "\"model_type\":\"bert\",\"hidden_size\":" + hidden + ",\"num_hidden_layers\":2}");
            Files.writeString(dir.resolve("tokenizer.json"), "{\"version\":\"1.0\",\"model\":{\"type\":\"WordPiece\"}}",
                    StandardCharsets.UTF_8);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Random rnd = new Random(name.hashCode());
            tensors.put("embeddings.word_embeddings.weight", TestAdapters.gaussian(rnd, 32, hidden).toTensor());
            for (int layer = 0; layer < 2; layer++) {
                for (String t : TestAdapters.TARGETS) {
                    tensors.put("encoder.layer." + layer + ".attention.self." + t + ".weight",
                            TestAdapters.gaussian(rnd, hidden, hidden).toTensor());
                }
            }
            SafeTensors.write(dir.resolve("model.safetensors"), new TensorFile(tensors));
            context.getBean(Models.class).registerBase(name, dir, SourceKind.UPLOAD, "coordinator-tests", Set.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers the Hugging Face checkpoint in {@code dir} (config.json, model.safetensors, tokenizer.json). */
    public void addBaseModel(String name, Path dir) {
        context.getBean(Models.class).registerBase(name, dir, SourceKind.UPLOAD, "coordinator-tests", Set.of());
    }

    @Override
    public void close() {
        context.close();
    }
}
