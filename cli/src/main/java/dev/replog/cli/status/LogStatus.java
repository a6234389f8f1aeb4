package dev.replog.cli.status;

/**
 * The log's format as Kafka holds it: {@code compact} when {@code <prefix>.schemas} exists (capture
 * creates it for that format only), else {@code json}.
 *
 * @param schemas schema records in the schemas topic (table versions written); null for a JSON log
 * @param error   why Kafka could not be asked; the other fields are then null
 */
public record LogStatus(String format, String schemasTopic, Integer schemas, String error) {
}
