package dev.fedexlora.coordinator.support;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.ResultMatcher;

import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.coordinator.event.JobEventStream;
import dev.fedexlora.coordinator.job.JobService;
import dev.fedexlora.coordinator.round.RoundService;
import dev.fedexlora.coordinator.security.ApiSecurityForSlices;
import dev.fedexlora.coordinator.task.TaskService;
import dev.fedexlora.coordinator.worker.WorkerService;

/**
 * The web slice of the coordinator's API: every controller, the problem-details advice, JSON binding and bean
 * validation, behind the production security configuration with the test tokens, and mocks in place of the
 * services (no database, no object store, no registry). A test here proves what the HTTP layer answers (status,
 * problem type, the field named) and that bad input never reaches a service. Subclasses share one context.
 */
@WebMvcTest
@Import(ApiSecurityForSlices.class)
@ContextConfiguration(initializers = AbstractApiSliceTests.Credentials.class)
public abstract class AbstractApiSliceTests {

    protected static final String PROBLEM = "https://fedex-lora.dev/problems/";

    @Autowired
    protected MockMvc mvc;
    @MockitoBean
    protected JobService jobs;
    @MockitoBean
    protected JobEventStream stream;
    @MockitoBean
    protected TaskService tasks;
    @MockitoBean
    protected WorkerService workers;
    @MockitoBean
    protected RoundService rounds;

    protected static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A problem-details answer: the status, the stable type and (when given) the field it names. */
    protected static ResultMatcher problem(int status, String type, String field) {
        return result -> {
            status().is(status).match(result);
            jsonPath("$.type").value(PROBLEM + type).match(result);
            jsonPath("$.status").value(status).match(result);
            if (field != null) {
                jsonPath("$.field").value(field).match(result);
            }
        };
    }

    protected static ResultActions expectProblem(ResultActions r, int status, String type, String field)
            throws Exception {
        return r.andExpect(problem(status, type, field));
    }

    /** The test tokens and worker credentials ({@link CoordinatorTestSupport#credentials()}). */
    static final class Credentials implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            TestPropertyValues.of(CoordinatorTestSupport.credentials().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())).applyTo(context);
        }
    }
}
