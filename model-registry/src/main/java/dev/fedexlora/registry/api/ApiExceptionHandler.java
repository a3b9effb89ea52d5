package dev.fedexlora.registry.api;

import dev.fedexlora.platform.storage.ObjectStoreException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the REST API as an RFC 9457 problem detail with a stable {@code type} and, where one is at
 * fault, the offending {@code field}. 4xx are logged at WARN, 5xx at ERROR.
 */
@RestControllerAdvice(basePackages = "dev.fedexlora.registry")
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(RegistryException.class)
    ResponseEntity<ProblemDetail> registry(RegistryException e) {
        ProblemDetail pd = problem(e.type(), e.getMessage(), e.field());
        e.properties().forEach(pd::setProperty);
        return respond(pd);
    }

    @ExceptionHandler(ObjectStoreException.class)
    ResponseEntity<ProblemDetail> storage(ObjectStoreException e) {
        return respond(problem(ProblemType.STORAGE_UNAVAILABLE, e.getMessage(), null));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = ex.getBindingResult().getFieldErrors();
        String field = errors.isEmpty() ? null : errors.getFirst().getField();
        String detail = errors.isEmpty() ? ex.getMessage()
                : errors.stream().map(f -> f.getField() + ": " + f.getDefaultMessage()).sorted()
                        .reduce((a, b) -> a + "; " + b).orElse("");
        ProblemDetail pd = problem(ProblemType.INVALID_REQUEST, detail, field);
        pd.setProperty("errors", errors.stream()
                .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                .toList());
        return new ResponseEntity<>(pd, ProblemType.INVALID_REQUEST.status());
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestPart(MissingServletRequestPartException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail pd = problem(ProblemType.INVALID_REQUEST,
                "required part '" + ex.getRequestPartName() + "' is missing", ex.getRequestPartName());
        return new ResponseEntity<>(pd, ProblemType.INVALID_REQUEST.status());
    }

    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        log.warn("upload too large: {}", ex.getMessage());
        return super.handleMaxUploadSizeExceededException(ex, headers, status, request);
    }

    private static ProblemDetail problem(ProblemType type, String detail, String field) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(type.status(), detail);
        pd.setType(type.uri());
        pd.setTitle(type.title());
        if (field != null) {
            pd.setProperty("field", field);
        }
        return pd;
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail pd) {
        if (pd.getStatus() >= 500) {
            log.error("{}: {}", pd.getTitle(), pd.getDetail());
        } else {
            log.warn("{}: {}", pd.getTitle(), pd.getDetail());
        }
        return ResponseEntity.status(pd.getStatus()).body(pd);
    }
}
