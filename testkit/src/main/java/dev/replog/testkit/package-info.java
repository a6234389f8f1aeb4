/**
 * Shared test infrastructure: JVM-wide embedded servers, per-test databases, and small SQL and
 * waiting helpers. Modules depend on it at test scope.
 */
package dev.replog.testkit;
