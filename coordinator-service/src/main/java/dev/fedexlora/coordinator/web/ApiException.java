package dev.fedexlora.coordinator.web;

import org.springframework.http.HttpStatus;

/**
 * An error the API answers as an RFC 9457 problem: a status, a stable {@code type} (the last segment of
 * {@code https://fedex-lora.dev/problems/<type>}), a detail, and the offending request field where there is one.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String field;

    public ApiException(HttpStatus status, String type, String detail, String field) {
        super(detail);
        this.status = status;
        this.type = type;
        this.field = field;
    }

    public static ApiException notFound(String what, Object id) {
        return new ApiException(HttpStatus.NOT_FOUND, "not-found", what + " " + id + " does not exist", null);
    }

    /** A state transition that the current state does not allow (cancel an ended job, …). */
    public static ApiException illegalTransition(String detail) {
        return new ApiException(HttpStatus.CONFLICT, "illegal-transition", detail, null);
    }

    public static ApiException leaseLost(Object taskId) {
        return new ApiException(HttpStatus.CONFLICT, "lease-lost",
                "task " + taskId + " is not leased by this worker (expired, reassigned or ended)", null);
    }

    public static ApiException invalid(String field, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", detail, field);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, "forbidden", detail, null);
    }

    /** The resource exists but belongs to someone else (a worker name another identity registered). */
    public static ApiException conflict(String type, String detail, String field) {
        return new ApiException(HttpStatus.CONFLICT, type, detail, field);
    }

    public static ApiException uploadRejected(String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "upload-rejected", detail, null);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
