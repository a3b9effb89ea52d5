/**
 * Server-rendered pages to browse models, versions and lineage (Thymeleaf; no script, no front-end build).
 * Per-round plots are drawn on the server as inline SVG; downloads go through the API's artifact redirect, which
 * verifies the stored checksum before it hands out a presigned URL.
 */
package dev.fedexlora.registry.web;
