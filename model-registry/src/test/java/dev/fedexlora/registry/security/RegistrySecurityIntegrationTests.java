package dev.fedexlora.registry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import dev.fedexlora.registry.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The registry's trust boundary over real HTTP: no token is a 401, the wrong role a 403 (both problem details),
 * only the publisher registers versions, and the pages need a sign-in and a CSRF token for their forms.
 */
class RegistrySecurityIntegrationTests extends RegistryIntegrationTest {

    @LocalServerPort
    int port;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anonymousCallersGet401OnEveryApiReadAndWrite() throws Exception {
        fixtures.uploadBase("sec-anon", Fixtures.checkpoint(tmp.resolve("base"), 3));
        Map<String, Object> round = fixtures.stageRound("job-anon", 1, 0, 901, false, tmp).request();
        for (HttpResponse<String> res : List.of(
                send("GET", "/api/v1/models", null, null),
                send("GET", "/api/v1/models/sec-anon/versions/0", null, null),
                send("POST", "/api/v1/models/sec-anon/versions", null, json(round)),
                send("PUT", "/api/v1/models/sec-anon/aliases/production", null, "{\"version\": 0}"),
                send("PUT", "/api/v1/models/sec-anon/tags", null, "{\"tags\": [\"x\"]}"),
                send("POST", "/api/v1/models/import/minilm", null, "{}"),
                send("GET", "/api/v1/models", "not-a-token", null))) {
            assertThat(res.statusCode()).as(res.request().method() + " " + res.request().uri()).isEqualTo(401);
            assertThat(res.body()).contains("https://fedex-lora.dev/problems/unauthorized");
        }
        assertThat(send("GET", "/api/v1/models/sec-anon/versions/1", Tokens.READER, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void onlyThePublisherRegistersAndOnlyTheAdminCurates() throws Exception {
        fixtures.uploadBase("sec-roles", Fixtures.checkpoint(tmp.resolve("base"), 4));
        String round = json(fixtures.stageRound("job-roles", 1, 0, 902, false, tmp).request());
        String path = "/api/v1/models/sec-roles/versions";
        for (String token : List.of(Tokens.READER, Tokens.ADMIN)) {
            HttpResponse<String> res = send("POST", path, token, round);
            assertThat(res.statusCode()).as(token).isEqualTo(403);
            assertThat(res.body()).contains("https://fedex-lora.dev/problems/forbidden");
        }
        assertThat(send("POST", path, Tokens.PUBLISHER, round).statusCode()).isEqualTo(201);

        String alias = "/api/v1/models/sec-roles/aliases/production";
        assertThat(send("PUT", alias, Tokens.READER, "{\"version\": 1}").statusCode()).isEqualTo(403);
        assertThat(send("PUT", alias, Tokens.PUBLISHER, "{\"version\": 1}").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/models/import/minilm", Tokens.READER, "{}").statusCode()).isEqualTo(403);
        assertThat(send("PUT", alias, Tokens.ADMIN, "{\"version\": 1}").statusCode()).isEqualTo(200);
        for (String token : List.of(Tokens.READER, Tokens.PUBLISHER, Tokens.ADMIN)) {
            assertThat(send("GET", "/api/v1/models/sec-roles/versions/production", token, null).statusCode())
                    .as(token).isEqualTo(200);
        }
    }

    @Test
    void versionsComeOnlyFromTheCoordinatorsKeysForThatJobRound() throws Exception {
        fixtures.uploadBase("sec-keys", Fixtures.checkpoint(tmp.resolve("base"), 5));
        Fixtures.Round r = fixtures.stageRound("job-keys", 1, 0, 903, false, tmp);
        // a client's upload, another job's round, a traversal and another round of this job
        for (String key : List.of("jobs/job-keys/rounds/1/tasks/t1/adapter_model.safetensors",
                "jobs/job-other/rounds/1/version/adapter_model.safetensors", "../../etc/passwd",
                "jobs/job-keys/rounds/1/version/../../../job-other/rounds/1/version/adapter_model.safetensors",
                "jobs/job-keys/rounds/2/version/adapter_model.safetensors")) {
            List<Map<String, Object>> artifacts = new java.util.ArrayList<>(r.artifacts());
            Map<String, Object> foreign = new LinkedHashMap<>(artifacts.get(0));
            foreign.put("objectKey", key);
            artifacts.set(0, foreign);
            Map<String, Object> request = new LinkedHashMap<>(r.request());
            request.put("artifacts", artifacts);
            fixtures.register("sec-keys", request).andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.field").value("artifacts[0].objectKey"));
        }
        for (Object round : List.of(Integer.MAX_VALUE, 10_001, 0)) {
            Map<String, Object> request = new LinkedHashMap<>(r.request());
            request.put("source", Map.of("jobId", "job-keys", "round", round));
            fixtures.register("sec-keys", request).andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.field").value("source.round"));
        }
        Map<String, Object> badJob = new LinkedHashMap<>(r.request());
        badJob.put("source", Map.of("jobId", "../job-keys", "round", 1));
        fixtures.register("sec-keys", badJob).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("source.jobId"));
        fixtures.register("sec-keys", r.request()).andExpect(status().isCreated());
    }

    @Test
    void pagingExtremesAre400NamingTheField() throws Exception {
        fixtures.uploadBase("sec-pages", Fixtures.checkpoint(tmp.resolve("base"), 6));
        for (String path : List.of("/api/v1/models?page=2147483647", "/api/v1/models?page=-1",
                "/api/v1/models/sec-pages/versions?page=2147483647&size=200",
                "/api/v1/models/sec-pages/versions?page=2147483647&archived=true")) {
            mvc.perform(get(path)).andExpect(status().isBadRequest()).andExpect(jsonPath("$.field").value("page"));
        }
        mvc.perform(get("/api/v1/models?size=2147483647")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("size"));
        assertThat(send("GET", "/models?page=2147483647", Tokens.READER, null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/models/sec-pages?page=2147483647", Tokens.READER, null).statusCode())
                .isEqualTo(400);
        mvc.perform(get("/api/v1/models?page=1000")).andExpect(status().isOk())
                .andExpect(jsonPath("$.items").isEmpty());
    }

    @Test
    void pagesNeedASignInAndTheirFormsAnAdminAndACsrfToken() throws Exception {
        fixtures.uploadBase("sec-forms", Fixtures.checkpoint(tmp.resolve("base"), 7));
        HttpResponse<String> anonymous = send("GET", "/models", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        assertThat(form("/login", null, "token=" + Tokens.ADMIN).statusCode()).as("no CSRF token").isEqualTo(403);
        assertThat(login("not-a-token").headers().firstValue("Location").orElseThrow()).endsWith("/login?error");

        // a signed-in reader reads the pages and the API, but may not use the forms, CSRF token or not
        String reader = signIn(Tokens.READER);
        assertThat(withCookie("GET", "/models/sec-forms", reader).statusCode()).isEqualTo(200);
        assertThat(withCookie("GET", "/api/v1/models/sec-forms", reader).statusCode()).isEqualTo(200);
        String setAlias = "alias=production&version=0&_csrf=" + csrf(reader, "/models/sec-forms");
        assertThat(form("/models/sec-forms/aliases", reader, setAlias).statusCode()).isEqualTo(403);

        // a signed-in admin: its session never writes through the API, and its forms need the CSRF token
        String admin = signIn(Tokens.ADMIN);
        assertThat(withCookie("PUT", "/api/v1/models/sec-forms/aliases/production", admin).statusCode())
                .isEqualTo(401);
        assertThat(form("/models/sec-forms/aliases", admin, "alias=production&version=0").statusCode())
                .isEqualTo(403);
        mvc.perform(get("/api/v1/models/sec-forms/aliases")).andExpect(jsonPath("$.aliases.production")
                .doesNotExist());
        String withToken = "alias=production&version=0&_csrf=" + csrf(admin, "/models/sec-forms");
        assertThat(form("/models/sec-forms/aliases", admin, withToken).statusCode()).isEqualTo(302);
        mvc.perform(get("/api/v1/models/sec-forms/aliases")).andExpect(jsonPath("$.aliases.production").value(0));
    }

    /** Posts the login form with {@code token} and the CSRF token of a fresh session. */
    private HttpResponse<String> login(String token) throws Exception {
        HttpResponse<String> page = send("GET", "/login", null, null);
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        return form("/login", cookie, "token=" + token + "&_csrf=" + csrfIn(page.body()));
    }

    /** Signs in with {@code token} and answers the session cookie. */
    private String signIn(String token) throws Exception {
        HttpResponse<String> res = login(token);
        assertThat(res.headers().firstValue("Location").orElseThrow()).endsWith("/models");
        return res.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    }

    private String csrf(String cookie, String page) throws Exception {
        return csrfIn(withCookie("GET", page, cookie).body());
    }

    private static String csrfIn(String html) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return java.net.URLEncoder.encode(m.group(1), java.nio.charset.StandardCharsets.UTF_8);
    }

    private HttpResponse<String> form(String path, String cookie, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> withCookie(String method, String path, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Cookie", cookie)
                .header("Content-Type", "application/json")
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{\"version\": 0}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", Tokens.bearer(token));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String json(Object value) {
        return fixtures.json().writeValueAsString(value);
    }
}
