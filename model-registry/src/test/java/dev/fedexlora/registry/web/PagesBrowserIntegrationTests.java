package dev.fedexlora.registry.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import dev.fedexlora.registry.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;

/**
 * The pages as a browser shows them: headless Chromium (Debian {@code chromium} and {@code chromium-driver})
 * driven by Selenium opens the models list, a model, a version and its parent, and checks the tables, the lineage,
 * the plots' points and a download. Skipped (assumption) where /usr/bin/chromium or /usr/bin/chromedriver is
 * absent, so the suite stays green on machines without a browser.
 */
class PagesBrowserIntegrationTests extends RegistryIntegrationTest {

    static WebDriver browser;

    @LocalServerPort
    int port;

    @TempDir
    Path tmp;

    /** Checked per test (not in {@code @BeforeAll}) so a machine without Chromium reports each test as skipped. */
    @BeforeEach
    void startBrowser() {
        HeadlessChromium.assumeInstalled();
        if (browser == null) {
            browser = HeadlessChromium.start();
            HeadlessChromium.signIn(browser, "http://127.0.0.1:" + port, Tokens.READER);
        }
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void browsesModelsVersionsLineagePlotsAndDownloads() throws Exception {
        fixtures.uploadBase("browse-bert", Fixtures.checkpoint(tmp.resolve("base"), 3)).andExpect(status().isCreated());
        mvc.perform(put("/api/v1/models/browse-bert/tags").contentType(MediaType.APPLICATION_JSON)
                .content("{\"tags\": [\"wordnet\"]}")).andExpect(status().isOk());
        for (int round = 1; round <= 3; round++) {
            fixtures.register("browse-bert", fixtures.stageRound("job-web", round, round - 1, 300 + round, round == 2,
                    tmp).request()).andExpect(status().isCreated());
        }
        mvc.perform(put("/api/v1/models/browse-bert/aliases/production").contentType(MediaType.APPLICATION_JSON)
                .content("{\"version\": 2}")).andExpect(status().isOk());

        // the models list, searched by tag
        open("/models?q=wordnet");
        WebElement row = browser.findElement(By.cssSelector("#models tr[data-model='browse-bert']"));
        assertThat(row.findElement(By.className("latest")).getText()).isEqualTo("3");
        assertThat(row.findElement(By.className("version-count")).getText()).isEqualTo("4");
        assertThat(row.getText()).contains("BertModel", "wordnet");
        row.findElement(By.className("model-link")).click();

        // the model: every version, newest first, with its metrics, and the plots of the latest lineage
        awaitPage("/models/browse-bert");
        List<WebElement> versions = browser.findElements(By.cssSelector("#versions tbody tr"));
        assertThat(versions).extracting(v -> v.getDomAttribute("data-version")).containsExactly("3", "2", "1", "0");
        WebElement v3 = versions.getFirst();
        assertThat(v3.findElement(By.className("loss")).getText()).isEqualTo("0.3333");
        assertThat(v3.findElement(By.className("accuracy")).getText()).isEqualTo("0.8");
        assertThat(v3.findElement(By.className("deviation")).getText()).isEqualTo("0.03");
        assertThat(v3.findElement(By.className("exactness")).getText()).isEqualTo("3.000e-07");
        assertThat(v3.getText()).contains("latest", "job job-web, round 3", "FEDEX");
        assertThat(versions.get(1).getText()).contains("production");
        assertThat(browser.findElement(By.id("aliases")).getText()).contains("latest → 3", "production → 2");
        checkPlots();
        screenshot("model");

        // a version: lineage back to the base, metrics, clients, artifacts, plots
        v3.findElement(By.className("version-link")).click();
        awaitPage("/models/browse-bert/versions/3");
        assertThat(browser.findElements(By.cssSelector("#lineage li")))
                .extracting(li -> li.getDomAttribute("data-version")).containsExactly("3", "2", "1", "0");
        assertThat(browser.findElement(By.id("source")).getText()).isEqualTo("job job-web, round 3");
        assertThat(browser.findElement(By.id("exactness")).getText()).isEqualTo("3.000e-07");
        assertThat(browser.findElement(By.cssSelector("#metrics tr[data-metric='meanLoss'] td")).getText())
                .isEqualTo("0.3333");
        assertThat(browser.findElement(By.id("clients")).getText()).contains("c1", "c2");
        List<WebElement> artifacts = browser.findElements(By.cssSelector("#artifacts tbody tr"));
        assertThat(artifacts).extracting(a -> a.getDomAttribute("data-file")).containsExactly(
                "adapter_config.json", "adapter_model.safetensors", "report.json", "residual.safetensors");
        checkPlots();
        screenshot("version");

        // a download link hands out the artifact itself (through the verified presigned redirect)
        WebElement residual = browser.findElement(By.cssSelector("#artifacts tr[data-file='residual.safetensors']"));
        String href = residual.findElement(By.className("download")).getDomProperty("href");
        String sha = residual.findElement(By.className("sha")).getText();
        assertThat(sha256(download(href))).isEqualTo(sha);

        // export from the page: the merged checkpoint and the adapter, each downloadable with its checksum
        browser.findElement(By.cssSelector("#export button")).click();
        awaitPage("/models/browse-bert/versions/3/export");
        assertThat(browser.findElements(By.cssSelector("#export-files tbody tr")))
                .extracting(r -> r.getDomAttribute("data-file")).containsExactlyInAnyOrder("model.safetensors",
                        "config.json", "tokenizer.json", "adapter/adapter_model.safetensors",
                        "adapter/adapter_config.json");
        WebElement merged = browser.findElement(By.cssSelector("#export-files tr[data-file='model.safetensors']"));
        assertThat(sha256(download(merged.findElement(By.className("download")).getDomProperty("href"))))
                .isEqualTo(merged.findElement(By.className("sha")).getText());
        open("/models/browse-bert/versions/3");

        // the parent link walks the lineage
        browser.findElement(By.cssSelector("#parent a")).click();
        awaitPage("/models/browse-bert/versions/2");
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("browse-bert version 2", "production");
        assertThat(browser.findElements(By.cssSelector("#lineage li"))).hasSize(3);
        assertThat(browser.findElement(By.cssSelector("#plots svg[data-metric='loss']")).getDomAttribute("data-points"))
                .isEqualTo("2");

        // the base has no rounds to plot
        open("/models/browse-bert/versions/0");
        assertThat(browser.findElement(By.id("source")).getText()).isEqualTo("uploaded checkpoint");
        assertThat(browser.findElement(By.cssSelector("#plots svg[data-metric='loss']")).getText()).contains("no data");
    }

    @Test
    void unknownModelsAndVersionsShowA404Page() {
        open("/models/no-such-model");
        assertThat(browser.findElement(By.id("problem")).getText()).isEqualTo("404 · Model not found");
        assertThat(browser.findElement(By.id("detail")).getText()).contains("no-such-model");
        open("/models?q=zzz-nothing-matches");
        assertThat(browser.findElement(By.className("empty")).getText()).isEqualTo("No model matches.");
    }

    /** A click returns before the page it leads to has loaded: wait for that page's address. */
    private void awaitPage(String path) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlMatches(
                java.util.regex.Pattern.quote(path) + "$"));
        assertThat(browser.getCurrentUrl()).endsWith(path);
    }

    private void checkPlots() {
        for (String metric : List.of("loss", "accuracy", "deviation", "exactness")) {
            WebElement svg = browser.findElement(By.cssSelector("#plots svg[data-metric='" + metric + "']"));
            assertThat(svg.isDisplayed()).as(metric).isTrue();
            assertThat(svg.getRect().getWidth()).as(metric).isGreaterThan(300);
            int points = Integer.parseInt(svg.getDomAttribute("data-points"));
            assertThat(svg.findElements(By.tagName("circle"))).as(metric).hasSize(points);
        }
        WebElement loss = browser.findElement(By.cssSelector("#plots svg[data-metric='loss']"));
        List<String> tips = loss.findElements(By.tagName("circle")).stream()
                .map(c -> c.findElement(By.tagName("title")).getDomProperty("textContent")).toList();
        assertThat(tips.subList(0, 2)).containsExactly("round 1: 1", "round 2: 0.5");
        assertThat(browser.findElement(By.cssSelector("#plots svg[data-metric='exactness']"))
                .getDomAttribute("data-scale")).isEqualTo("log");
    }

    /** Saves what the browser shows under target/pages/ for a person to look at; asserts nothing. */
    private static void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "pages"));
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
    }

    /** Follows a page's link as the signed-in browser would: with its session cookie. */
    private byte[] download(String url) throws Exception {
        org.openqa.selenium.Cookie session = browser.manage().getCookieNamed("JSESSIONID");
        try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()) {
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(url))
                            .header("Cookie", "JSESSIONID=" + session.getValue()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(res.statusCode()).isEqualTo(200);
            return res.body();
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
