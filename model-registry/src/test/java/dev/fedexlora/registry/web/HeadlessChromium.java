package dev.fedexlora.registry.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Selenium, for the page tests. Debian's paths; the system properties
 * {@code chromium.binary} and {@code chromedriver.binary} override them.
 */
final class HeadlessChromium {

    static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    /** Skips the calling test (a JUnit assumption) where Chromium or its driver is not installed. */
    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "headless Chromium not found at "
                + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
    }

    static WebDriver start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1400,1000");
        WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }

    /**
     * Waits up to 20 s for {@code condition}, which reads the page. A page that re-renders between the find and the
     * read (a fetch replacing a list) is read again, not a failure.
     */
    static void await(WebDriver browser, java.util.function.Function<WebDriver, Boolean> condition) {
        new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition::apply);
    }

    /** Signs {@code browser} in to the registry at {@code base} with {@code token}, as a person would. */
    static void signIn(WebDriver browser, String base, String token) {
        browser.get(base + "/login");
        browser.findElement(org.openqa.selenium.By.name("token")).sendKeys(token);
        browser.findElement(org.openqa.selenium.By.cssSelector("#login button")).click();
        new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20))
                .until(d -> d.getCurrentUrl().endsWith("/models"));
    }
}
