/** What the services' OpenAPI documents share: request-body examples keyed by operation. */
package dev.fedexlora.platform.apidocs;
