/**
 * The coordinator's database: Flyway owns the {@code coordinator} schema; without a configured datasource URL an
 * embedded PostgreSQL is started on a persistent data directory.
 */
package dev.fedexlora.coordinator.db;
