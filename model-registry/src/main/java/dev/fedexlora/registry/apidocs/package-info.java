/** The OpenAPI document's security scheme and request examples (served at /v3/api-docs and /swagger-ui). */
package dev.fedexlora.registry.apidocs;
