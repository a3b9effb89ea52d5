package dev.fedexlora.coordinator.job;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

import tools.jackson.databind.json.JsonMapper;

/**
 * The stored job request (with defaults filled in) as JSON text in {@code job.request_json}: written and read here
 * only, so every caller gets a {@link JobRequest} from {@link JobEntity#getRequest()}. Hibernate instantiates it
 * through Spring, with the application's JSON mapper.
 */
@Converter
class JobRequestConverter implements AttributeConverter<JobRequest, String> {

    private final JsonMapper json;

    JobRequestConverter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String convertToDatabaseColumn(JobRequest request) {
        return request == null ? null : json.writeValueAsString(request);
    }

    @Override
    public JobRequest convertToEntityAttribute(String column) {
        return column == null ? null : json.readValue(column, JobRequest.class);
    }
}
