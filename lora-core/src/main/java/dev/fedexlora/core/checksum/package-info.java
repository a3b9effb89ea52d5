/** The platform's one checksum helper (SHA-256, lower-case hex), shared by services, workers and the CLI. */
package dev.fedexlora.core.checksum;
