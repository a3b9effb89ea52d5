package dev.fedexlora.registry.security;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.fedexlora.platform.security.HashedTokens;

/**
 * The pages' sign-in: a browser enters a registry token (reader or admin) once; the session that follows carries
 * the token's role, under a new session id. The token itself is not kept, only the authentication it gave.
 */
@Controller
class LoginController {

    private final HashedTokens tokens;
    private final HttpSessionSecurityContextRepository sessions;

    LoginController(HashedTokens tokens, HttpSessionSecurityContextRepository sessions) {
        this.tokens = tokens;
        this.sessions = sessions;
    }

    @GetMapping("/login")
    String loginPage() {
        return "login";
    }

    @PostMapping("/login")
    String login(@RequestParam(defaultValue = "") String token, HttpServletRequest request,
                 HttpServletResponse response) {
        Optional<Authentication> auth = tokens.authenticate(token);
        if (auth.isEmpty()) {
            return "redirect:/login?error";
        }
        request.getSession(true);
        request.changeSessionId();
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth.get());
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        return "redirect:/models";
    }
}
