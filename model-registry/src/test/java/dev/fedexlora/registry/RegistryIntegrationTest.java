package dev.fedexlora.registry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The one Spring context every integration test shares: a real server on a random port, an embedded PostgreSQL
 * and an in-memory s3proxy. Tests use their own model names, so they do not see each other's data. MockMvc calls
 * carry the admin's development token unless a test sets another ({@link Tokens}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@Import({Fixtures.class, Tokens.class})
public abstract class RegistryIntegrationTest {

    @Autowired
    protected MockMvc mvc;

    @Autowired
    protected Fixtures fixtures;
}
