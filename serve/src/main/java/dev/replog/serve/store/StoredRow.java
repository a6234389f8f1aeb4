package dev.replog.serve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A row as a replica store holds it: column name to PostgreSQL text value (null for SQL NULL), in
 * column order, as JSON. The decoded row, not the envelope: a fraction of the bytes, and what a
 * reader gets back.
 */
public final class StoredRow {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() {
    };

    private StoredRow() {
    }

    public static byte[] write(Map<String, String> row) {
        try {
            return JSON.writeValueAsBytes(row);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a row", e);
        }
    }

    public static LinkedHashMap<String, String> read(byte[] bytes) {
        try {
            return JSON.readValue(bytes, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a stored row", e);
        }
    }
}
