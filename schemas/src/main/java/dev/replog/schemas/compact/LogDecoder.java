package dev.replog.schemas.compact;

import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;

/**
 * Reads a record of either log format, told apart by its value's first byte ({@link CompactWire#MAGIC}
 * or JSON's {@code {}): what every reader of the log (applier, rebuild, serve, status) takes in place
 * of {@link EnvelopeDecoder}, so a log written in one format and then the other reads whole. Not
 * thread-safe.
 */
public final class LogDecoder {

    private final EnvelopeDecoder json = new EnvelopeDecoder();
    private final CompactEventDecoder compact;

    /** @param schemas the schemas topic, for compact records */
    public LogDecoder(SchemaLookup schemas) {
        this.compact = new CompactEventDecoder(schemas);
    }

    /** See {@link EnvelopeDecoder#decode}. */
    public ChangeEvent decode(byte[] key, byte[] value) {
        return CompactWire.isCompact(value) ? compact.decode(key, value) : json.decode(key, value);
    }

    /** See {@link EnvelopeDecoder#decodeTransaction(byte[], Lsn)}. */
    public TransactionBoundary decodeTransaction(byte[] value, Lsn commitLsn) {
        return CompactWire.isCompact(value) ? compact.decodeTransaction(value, commitLsn) : json.decodeTransaction(value, commitLsn);
    }
}
