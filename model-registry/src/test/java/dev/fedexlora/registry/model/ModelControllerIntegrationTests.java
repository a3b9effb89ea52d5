package dev.fedexlora.registry.model;

import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.platform.storage.ObjectStoreException;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.version.ArtifactValidator;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The web slice of the model API alone (no database, no object store): how failures of the layers below reach a
 * client, as RFC 9457 problems with the status the whole platform uses for them.
 */
@WebMvcTest(ModelController.class)
class ModelControllerIntegrationTests {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    Models models;

    @MockitoBean
    ArtifactValidator validator;

    @Test
    void anObjectStoreOutageIsA503ObjectStoreUnavailableProblem() throws Exception {
        given(models.get("bert")).willThrow(new ObjectStoreException("get models/bert/versions/0/config.json",
                new ConnectException("Connection refused")));
        mvc.perform(get("/api/v1/models/bert"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/object-store-unavailable"))
                .andExpect(jsonPath("$.status").value(503))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("Connection refused")));
    }

    @Test
    void aMissingModelIsA404NamingIt() throws Exception {
        given(models.get("nope")).willThrow(RegistryException.modelNotFound("nope"));
        mvc.perform(get("/api/v1/models/nope"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/model-not-found"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("nope")));
    }
}
