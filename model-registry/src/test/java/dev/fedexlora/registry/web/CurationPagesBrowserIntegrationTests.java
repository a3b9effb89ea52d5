package dev.fedexlora.registry.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import dev.fedexlora.registry.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * The pages' forms in headless Chromium: a version's description and tags, setting and removing an alias,
 * archiving (refused while an alias names the version, then hiding it from the model's list) and the comparison
 * of two versions with per-layer figures. Skipped where /usr/bin/chromium or /usr/bin/chromedriver is absent.
 */
class CurationPagesBrowserIntegrationTests extends RegistryIntegrationTest {

    static WebDriver browser;

    @LocalServerPort
    int port;

    @TempDir
    Path tmp;

    @BeforeEach
    void startBrowser() {
        HeadlessChromium.assumeInstalled();
        if (browser == null) {
            browser = HeadlessChromium.start();
            HeadlessChromium.signIn(browser, "http://127.0.0.1:" + port, Tokens.ADMIN);
        }
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void notesAliasesArchiveAndComparisonFromThePages() throws Exception {
        fixtures.uploadBase("curate", Fixtures.checkpoint(tmp.resolve("base"), 4)).andExpect(status().isCreated());
        for (int round = 1; round <= 3; round++) {
            fixtures.register("curate", fixtures.stageRound("job-curate", round, round - 1, 500 + round, false, tmp)
                    .request()).andExpect(status().isCreated());
        }

        // notes on version 2
        open("/models/curate/versions/2");
        WebElement notes = browser.findElement(By.id("notes"));
        notes.findElement(By.name("description")).sendKeys("second round, before the learning-rate change");
        notes.findElement(By.name("tags")).sendKeys("wordnet, candidate");
        notes.findElement(By.tagName("button")).click();
        awaitText(By.id("description"), "second round, before the learning-rate change");
        assertThat(browser.findElements(By.cssSelector("#version-tags .tag"))).extracting(WebElement::getText)
                .containsExactly("candidate", "wordnet");

        // an alias set from the model page, which then blocks archiving its version
        open("/models/curate");
        WebElement setAlias = browser.findElement(By.id("set-alias"));
        setAlias.findElement(By.name("alias")).sendKeys("production");
        setAlias.findElement(By.name("version")).sendKeys("2");
        setAlias.findElement(By.tagName("button")).click();
        awaitText(By.id("aliases"), "production → 2");
        open("/models/curate/versions/2");
        browser.findElement(By.cssSelector("#archive button")).click();
        awaitText(By.id("problem"), "409");
        assertThat(browser.findElement(By.id("detail")).getText()).contains("production");

        // removing the alias, then archiving: the version leaves the list but its page and lineage stay
        open("/models/curate");
        browser.findElement(By.cssSelector("form.remove-alias[data-alias='production'] button")).click();
        HeadlessChromium.await(browser, d -> !d.findElement(By.id("aliases")).getText().contains("production"));
        open("/models/curate/versions/2");
        browser.findElement(By.cssSelector("#archive button")).click();
        awaitText(By.id("archived"), "archived");
        open("/models/curate");
        assertThat(versionsListed()).containsExactly("3", "1", "0");
        browser.findElement(By.id("toggle-archived")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlContains("archived=true"));
        assertThat(versionsListed()).containsExactly("3", "2", "1", "0");
        open("/models/curate/versions/3");
        assertThat(browser.findElements(By.cssSelector("#lineage li")))
                .extracting(li -> li.getDomAttribute("data-version")).containsExactly("3", "2", "1", "0");
        screenshot("version-notes");

        // compare version 3 with its parent from the version page
        WebElement compare = browser.findElement(By.id("compare"));
        assertThat(compare.findElement(By.name("b")).getDomProperty("value")).isEqualTo("2");
        compare.findElement(By.tagName("button")).click();
        awaitText(By.id("title"), "curate: version 3 and version 2");
        assertThat(browser.findElement(By.id("common")).getText()).isEqualTo("version 2");
        assertThat(browser.findElement(By.cssSelector("#compare-metrics tr[data-metric='meanLoss'] .a")).getText())
                .isEqualTo("0.3333");
        assertThat(browser.findElement(By.cssSelector("#compare-metrics tr[data-metric='meanLoss'] .b")).getText())
                .isEqualTo("0.5");
        WebElement layer = browser.findElement(By.cssSelector("#compare-layers tr[data-module='"
                + Fixtures.MODULES.get(1) + "']"));
        assertThat(layer.findElement(By.className("deviation-a")).getText()).isEqualTo("0.06");
        assertThat(layer.findElement(By.className("deviation-b")).getText()).isEqualTo("0.04");
        assertThat(browser.findElements(By.cssSelector("#compare-layers tbody tr"))).hasSize(Fixtures.MODULES.size());
        screenshot("compare");

        // a bad tag is refused with the API's 400 on the problem page
        open("/models/curate/versions/1");
        browser.findElement(By.cssSelector("#notes input[name='tags']")).sendKeys("Not A Tag");
        browser.findElement(By.cssSelector("#notes button")).click();
        awaitText(By.id("problem"), "400");
    }

    private static List<String> versionsListed() {
        return browser.findElements(By.cssSelector("#versions tbody tr")).stream()
                .map(r -> r.getDomAttribute("data-version")).toList();
    }

    private static void awaitText(By by, String text) {
        HeadlessChromium.await(browser, d -> d.findElement(by).getText().contains(text));
    }

    private void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
    }

    private static void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "pages"));
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
