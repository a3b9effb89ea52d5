package dev.fedexlora.coordinator.job;

import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/** A job stores its request (with defaults filled in) as JSON; this reads it back. */
@Component
public class JobRequestCodec {

    private final JsonMapper json;

    JobRequestCodec(JsonMapper json) {
        this.json = json;
    }

    public JobRequest read(JobEntity job) {
        return json.readValue(job.getRequestJson(), JobRequest.class);
    }

    String write(JobRequest request) {
        return json.writeValueAsString(request);
    }
}
