package dev.fedexlora.coordinator.event;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.fedexlora.coordinator.CoordinatorApplication;
import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestInfrastructure;

/**
 * A client following a running job's event stream must not hold up the coordinator's graceful shutdown: closing the
 * context ends the stream at once instead of waiting out the shutdown phase's timeout (here 30 s, as Spring Boot's
 * default).
 */
class JobEventStreamShutdownIntegrationTests {

    @Test
    void anOpenEventStreamEndsWhenTheContextClosesAndDoesNotDelayIt() throws Exception {
        Map<String, Object> properties = new LinkedHashMap<>(
                CoordinatorTestSupport.properties(TestInfrastructure.newDatabaseUrl()));
        properties.put("server.port", "0");
        properties.put("server.shutdown", "graceful");
        properties.put("spring.lifecycle.timeout-per-shutdown-phase", "30s");
        List<String> args = new ArrayList<>();
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(CoordinatorApplication.class)
                .run(args.toArray(String[]::new));
        try {
            String url = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
            // No worker ever leases its task: the job stays RUNNING and its stream stays open.
            String jobId = submit(url, job(List.of("shutdown-c1"), 1));
            HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs/" + jobId + "/events"))
                            .header("Authorization", "Bearer " + VIEWER).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
            List<String> events = new ArrayList<>();
            String line;
            while (!events.contains("RoundOpened") && (line = lines.readLine()) != null) {
                if (line.startsWith("event:")) {
                    events.add(line.substring(6).trim());
                }
            }
            assertThat(events).containsExactly("JobStarted", "RoundOpened");
            // The response must end properly (last chunk), not by a reset: an SSE client then reconnects with
            // Last-Event-ID.
            CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
                try {
                    while (lines.readLine() != null) {
                        // drain until the server ends the response
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            long start = System.nanoTime();
            context.close();
            Duration closing = Duration.ofNanos(System.nanoTime() - start);

            assertThat(closing).isLessThan(Duration.ofSeconds(5));
            ended.get(5, TimeUnit.SECONDS);
        } finally {
            context.close();
        }
    }
}
