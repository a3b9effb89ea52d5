package dev.fedexlora.registry.web;

import dev.fedexlora.registry.api.RegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.servlet.ModelAndView;

/**
 * Errors of the pages as an HTML page with the same status the API would answer (an unknown model or version is a
 * 404), instead of the API's problem+json. Ordered before the API's advice, which would otherwise take them.
 */
@ControllerAdvice(assignableTypes = {PageController.class, CurationPageController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class PageExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(PageExceptionHandler.class);

    @ExceptionHandler(RegistryException.class)
    ModelAndView registry(RegistryException e) {
        log.warn("page: {}: {}", e.type().title(), e.getMessage());
        ModelAndView mav = new ModelAndView("problem", e.type().status());
        mav.addObject("title", e.type().title());
        mav.addObject("detail", e.getMessage());
        mav.addObject("status", e.type().status().value());
        return mav;
    }
}
