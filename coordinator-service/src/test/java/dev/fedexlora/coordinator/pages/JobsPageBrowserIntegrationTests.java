package dev.fedexlora.coordinator.pages;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.awaitJob;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestWorker;
import tools.jackson.databind.JsonNode;

/**
 * The jobs page as a browser shows it: headless Chromium (Debian {@code chromium} and {@code chromium-driver})
 * driven by Selenium asks for a token, lists running and finished jobs, and follows a running job live from its
 * event stream while a test worker fails one task and completes the round: the progress bar, the failure reason,
 * the round's metrics and the link to the registered version appear without a reload. Skipped where
 * /usr/bin/chromium or /usr/bin/chromedriver is absent.
 */
class JobsPageBrowserIntegrationTests extends AbstractRegistryContractIntegrationTests {

    static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));

    static WebDriver browser;

    @BeforeEach
    void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "headless Chromium not found at "
                + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
        if (browser != null) {
            return;
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1400,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void showsJobsAndFollowsARunningJobLive() throws Exception {
        TestWorker worker = new TestWorker(baseUrl(), WORKER_A, "page-w", Map.of(
                "page-c1", Map.of("wordnet-nouns", 100L), "page-c2", Map.of("wordnet-nouns", 300L))).register();
        String running = submit(baseUrl(), job(List.of("page-c1", "page-c2"), 1));
        String cancelled = submit(baseUrl(), job(List.of("page-x1"), 2));
        assertThat(call(baseUrl(), "POST", "/api/v1/jobs/" + cancelled + "/cancel", SUBMITTER, null).status())
                .isEqualTo(200);

        // no token yet: the page asks for one and shows nothing else
        browser.get(baseUrl() + "/jobs");
        browser.manage().deleteAllCookies();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        await(() -> browser.findElement(By.id("token-form")).isDisplayed());
        assertThat(browser.findElement(By.id("list-view")).isDisplayed()).isFalse();

        // a wrong token is refused with the coordinator's answer, and asked for again
        enterToken("not-a-token");
        await(() -> browser.findElement(By.id("error")).getText().contains("401"));
        assertThat(browser.findElement(By.id("token-form")).isDisplayed()).isTrue();

        // the viewer token lists running and finished jobs
        enterToken(VIEWER);
        await(() -> !browser.findElements(By.cssSelector("#jobs tr[data-job='" + running + "']")).isEmpty());
        assertThat(jobCell(running, "state-cell")).isEqualTo("RUNNING");
        assertThat(jobCell(running, "round")).isEqualTo("1 / 1");
        await(() -> !browser.findElements(By.cssSelector("#jobs tr[data-job='" + cancelled + "']")).isEmpty());
        assertThat(jobCell(cancelled, "state-cell")).isEqualTo("CANCELLED");
        screenshot("jobs");

        // the running job: round 1 open, no client done, followed live
        row(running).findElement(By.cssSelector(".job-link a")).click();
        await(() -> browser.findElement(By.id("job-view")).isDisplayed());
        await(() -> browser.findElement(By.id("live")).isDisplayed());
        assertThat(browser.findElement(By.id("job-state")).getText()).isEqualTo("RUNNING");
        assertThat(roundCell("round-state")).isEqualTo("OPEN");
        assertThat(roundCell("done")).isEqualTo("0/2");

        // a worker fails one task: its reason appears without a reload
        JsonNode first = worker.awaitLease(10_000);
        assertThat(worker.fail(first.get("taskId").asString(), "out of memory at step 12").status()).isEqualTo(200);
        await(() -> browser.findElement(By.id("tasks")).getText().contains("out of memory at step 12"));
        await(() -> browser.findElement(By.id("failures")).getText().contains("out of memory at step 12"));

        // both clients complete: the bar fills, the round aggregates, its metrics and version appear
        Map<String, JsonNode> leases = new HashMap<>();
        long until = System.currentTimeMillis() + 20_000;
        while (leases.size() < 2 && System.currentTimeMillis() < until) {
            worker.lease().ifPresent(l -> leases.put(l.get("clientId").asString(), l));
            TestWorker.sleep(100);
        }
        assertThat(leases.keySet()).containsExactlyInAnyOrder("page-c1", "page-c2");
        JsonNode c1 = leases.get("page-c1");
        worker.complete(c1, worker.upload(c1, TestAdapters.files(TestAdapters.random(1, 4, 8.0, TestAdapters.HIDDEN))),
                100, Map.of("loss", 0.9, "accuracy", 0.25));
        await(() -> roundCell("done").equals("1/2"));
        assertThat(browser.findElement(By.cssSelector("#rounds tr[data-round='1'] progress")).getDomProperty("value"))
                .isEqualTo("1");
        JsonNode c2 = leases.get("page-c2");
        worker.complete(c2, worker.upload(c2, TestAdapters.files(TestAdapters.random(2, 4, 8.0, TestAdapters.HIDDEN))),
                300, Map.of("loss", 0.5, "accuracy", 0.75));
        JsonNode done = awaitJob(baseUrl(), running, "SUCCEEDED", 30_000);
        int version = done.get("modelVersion").asInt();
        await(() -> browser.findElement(By.id("job-state")).getText().equals("SUCCEEDED"));
        assertThat(roundCell("round-state")).isEqualTo("AGGREGATED");
        assertThat(roundCell("done")).isEqualTo("2/2");
        JsonNode round = call(baseUrl(), "GET", "/api/v1/jobs/" + running + "/rounds", VIEWER, null).json().get(0);
        assertThat(Double.parseDouble(roundCell("loss"))).isCloseTo(round.get("meanLoss").asDouble(),
                org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Double.parseDouble(roundCell("exactness"))).isLessThanOrEqualTo(1e-5);
        assertThat(browser.findElement(By.cssSelector("#rounds tr[data-round='1'] .version a")).getDomAttribute("href"))
                .endsWith("/models/" + MODEL + "/versions/" + version);
        await(() -> !browser.findElement(By.id("live")).isDisplayed());
        screenshot("job");

        // opened again after the end, the job's history still names the failure (replayed from its events)
        browser.navigate().refresh();
        await(() -> browser.findElement(By.id("failures")).getText().contains("out of memory at step 12"));
        assertThat(browser.findElement(By.id("failures")).getText()).contains(first.get("clientId").asString());
        assertThat(browser.findElement(By.id("live")).isDisplayed()).isFalse();
    }

    private void enterToken(String token) {
        WebElement input = browser.findElement(By.id("token"));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button")).click();
    }

    private static WebElement row(String jobId) {
        return browser.findElement(By.cssSelector("#jobs tr[data-job='" + jobId + "']"));
    }

    private static String jobCell(String jobId, String cls) {
        return text(By.cssSelector("#jobs tr[data-job='" + jobId + "'] ." + cls));
    }

    private static String roundCell(String cls) {
        return text(By.cssSelector("#rounds tr[data-round='1'] ." + cls));
    }

    /**
     * The element's text. The page re-renders its tables as events arrive, so an element found may be replaced
     * before it is read: then it is found and read again.
     */
    private static String text(By by) {
        for (int attempt = 1; ; attempt++) {
            try {
                return browser.findElement(by).getText().strip();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    /** Saves what the browser shows under target/pages/ for a person to look at; asserts nothing. */
    private static void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "pages"));
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
