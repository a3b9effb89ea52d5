package dev.fedexlora.coordinator.web;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import dev.fedexlora.coordinator.registry.RegistryCallException;
import dev.fedexlora.platform.storage.ObjectStoreException;
import tools.jackson.core.JacksonException;

/** Every API error as an RFC 9457 problem with a stable type; 4xx are logged at WARN, 5xx at ERROR. */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    static final String TYPE_BASE = "https://fedex-lora.dev/problems/";

    @ExceptionHandler(ApiException.class)
    ProblemDetail api(ApiException e) {
        ProblemDetail pd = problem(e.status(), e.type(), e.getMessage());
        if (e.field() != null) {
            pd.setProperty("field", e.field());
        }
        return pd;
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ProblemDetail invalid(MethodArgumentNotValidException e) {
        List<Map<String, String>> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                .toList();
        String first = errors.isEmpty() ? null : errors.getFirst().get("field");
        ProblemDetail pd = problem(HttpStatus.BAD_REQUEST, "invalid-request", errors.isEmpty()
                ? "invalid request" : errors.stream().map(m -> m.get("field") + ": " + m.get("message"))
                .reduce((a, b) -> a + "; " + b).orElseThrow());
        pd.setProperty("field", first);
        pd.setProperty("errors", errors);
        return pd;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        ProblemDetail pd = problem(HttpStatus.BAD_REQUEST, "malformed-body",
                "the request body is not valid JSON for this call: " + rootMessage(e));
        String field = field(e);
        if (field != null) {
            pd.setProperty("field", field);
        }
        return pd;
    }

    /** The JSON path of the value Jackson refused ({@code rounds}, {@code clients[0].clientId}), or null. */
    private static String field(Throwable e) {
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof JacksonException d && !d.getPath().isEmpty()) {
                StringBuilder out = new StringBuilder();
                for (var ref : d.getPath()) {
                    if (ref.getPropertyName() != null) {
                        out.append(out.isEmpty() ? "" : ".").append(ref.getPropertyName());
                    } else if (ref.getIndex() >= 0) {
                        out.append('[').append(ref.getIndex()).append(']');
                    }
                }
                return out.isEmpty() ? null : out.toString();
            }
        }
        return null;
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
        ProblemDetail pd = problem(HttpStatus.BAD_REQUEST, "invalid-request",
                e.getName() + " has an invalid value '" + e.getValue() + "'");
        pd.setProperty("field", e.getName());
        return pd;
    }

    @ExceptionHandler(RegistryCallException.class)
    ProblemDetail registry(RegistryCallException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "registry-unavailable", e.getMessage());
    }

    @ExceptionHandler(ObjectStoreException.class)
    ProblemDetail objectStore(ObjectStoreException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "object-store-unavailable", e.getMessage());
    }

    static ProblemDetail problem(HttpStatus status, String type, String detail) {
        if (status.is5xxServerError()) {
            log.error("{} {}: {}", status.value(), type, detail);
        } else {
            log.warn("{} {}: {}", status.value(), type, detail);
        }
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
        pd.setType(URI.create(TYPE_BASE + type));
        pd.setTitle(status.getReasonPhrase());
        return pd;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
