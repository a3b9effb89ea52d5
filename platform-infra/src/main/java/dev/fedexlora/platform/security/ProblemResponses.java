package dev.fedexlora.platform.security;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import tools.jackson.databind.ObjectMapper;

/**
 * The 401 and 403 of an API secured by bearer tokens, as RFC 9457 problem details with the stable types
 * {@code .../problems/unauthorized} and {@code .../problems/forbidden}.
 */
public final class ProblemResponses {

    private static final String TYPES = "https://fedex-lora.dev/problems/";

    private ProblemResponses() {
    }

    public static AuthenticationEntryPoint unauthorized(ObjectMapper json) {
        return (req, res, ex) -> write(res, json, HttpStatus.UNAUTHORIZED, "unauthorized",
                "A valid bearer token is required.");
    }

    public static AccessDeniedHandler forbidden(ObjectMapper json) {
        return (req, res, ex) -> write(res, json, HttpStatus.FORBIDDEN, "forbidden",
                "This token's role may not do this.");
    }

    static void write(HttpServletResponse res, ObjectMapper json, HttpStatus status, String type, String detail)
            throws IOException {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
        pd.setType(URI.create(TYPES + type));
        pd.setTitle(status.getReasonPhrase());
        res.setStatus(status.value());
        res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(res.getOutputStream(), pd);
    }
}
