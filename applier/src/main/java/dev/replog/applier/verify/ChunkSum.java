package dev.replog.applier.verify;

import java.math.BigInteger;

/**
 * Row count and content checksum of the rows of one key range: the sums of the two 64-bit halves of
 * each row's md5 (computed inside the database; each sum a numeric, so nothing grows with the rows
 * but a few digits). A row that differs, is missing or is extra changes the sums but for a chance of
 * about 2^-64.
 */
record ChunkSum(long rows, BigInteger high, BigInteger low) {

    static final ChunkSum EMPTY = new ChunkSum(0, BigInteger.ZERO, BigInteger.ZERO);

    ChunkSum plus(ChunkSum o) {
        return new ChunkSum(rows + o.rows, high.add(o.high), low.add(o.low));
    }

    /** The sums as 32 hex digits (each taken modulo 2^64). */
    String digest() {
        BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        return String.format("%016x%016x", high.and(mask), low.and(mask));
    }
}
