package dev.replog.schemas.compact;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The id of a Connect schema in the compact log format: the first 8 bytes (big-endian) of the SHA-256
 * of the schema's JSON as JsonConverter writes it (the schema record's value). A content hash, so
 * every capture, restarted or not, gives one schema one id without state or coordination, and a
 * schema record written twice is the same record. {@link #NONE} (0) marks a record without a schema.
 */
public record SchemaId(long value) {

    public static final SchemaId NONE = new SchemaId(0);
    private static final HexFormat HEX = HexFormat.of();

    /** The id of the schema whose JSON is {@code schemaJson}. */
    public static SchemaId of(byte[] schemaJson) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(schemaJson);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = id << 8 | (digest[i] & 0xFF);
        }
        // 0 means "no schema": a schema hashing to it (one in 2^64) takes 1 instead.
        return new SchemaId(id == 0 ? 1 : id);
    }

    /** @param hex 16 hex digits, as the key of a schema record */
    public static SchemaId parse(String hex) {
        if (hex.length() != 16) {
            throw new IllegalArgumentException("schema id '" + hex + "' is not 16 hex digits");
        }
        return new SchemaId(HexFormat.fromHexDigitsToLong(hex));
    }

    /** 16 lowercase hex digits: the key of the schema record in {@code <prefix>.schemas}. */
    public String hex() {
        return HEX.toHexDigits(value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
