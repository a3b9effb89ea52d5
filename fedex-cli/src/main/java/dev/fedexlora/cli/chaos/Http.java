package dev.fedexlora.cli.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The suite's HTTP client: every answer's status is recorded under an endpoint label ({@code coordinator POST
 * /api/v1/jobs}); a request with no answer within the timeout is recorded as status 0 and breaks
 * {@link Promise#NO_STALL} when the caller says it should have been answered.
 */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** An answer; status 0 when none came. */
    record Reply(int status, byte[] body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (RuntimeException e) {
                return JSON.createObjectNode();
            }
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Figures figures;
    private final Duration timeout;

    Http(Figures figures, Duration timeout) {
        this.figures = figures;
        this.timeout = timeout;
    }

    /** Sends and records; {@code token} null sends none, {@code body} null sends none. */
    Reply send(String endpoint, String method, URI uri, String token, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        Reply r;
        // The whole exchange, body included, is bounded: HttpRequest's own timeout stops at the headers.
        var future = client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        try {
            HttpResponse<byte[]> response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            r = new Reply(response.statusCode(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            figures.broken(Promise.NO_STALL, endpoint + (uri.getRawQuery() == null ? "" : " ?" + abbreviate(uri.getRawQuery()))
                    + ": no complete answer within " + timeout.toSeconds() + " s");
            r = new Reply(Figures.NO_ANSWER, new byte[0]);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpTimeoutException) {
                figures.broken(Promise.NO_STALL, endpoint + ": no answer within " + timeout.toSeconds() + " s");
            }
            r = new Reply(Figures.NO_ANSWER, new byte[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = new Reply(Figures.NO_ANSWER, new byte[0]);
        }
        figures.status(endpoint, r.status());
        if (r.status() >= 500) {
            figures.broken(Promise.NO_5XX, endpoint + " answered " + r.status() + " to "
                    + (body == null ? "no body" : abbreviate(new String(body, StandardCharsets.UTF_8)))
                    + (uri.getRawQuery() == null ? "" : " ?" + abbreviate(uri.getRawQuery())));
        }
        return r;
    }

    Reply json(String endpoint, String method, URI uri, String token, JsonNode body) {
        return send(endpoint, method, uri, token, "application/json", body == null ? null : JSON.writeValueAsBytes(body));
    }

    /** A GET that is not part of the corpus: not recorded (polling would swamp the figures). */
    Reply quietGet(URI uri, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET();
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<byte[]> response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Reply(Figures.NO_ANSWER, new byte[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(Figures.NO_ANSWER, new byte[0]);
        }
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 90 ? one : one.substring(0, 87) + "...";
    }
}
