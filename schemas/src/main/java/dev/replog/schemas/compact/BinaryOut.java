package dev.replog.schemas.compact;

import org.apache.kafka.connect.errors.DataException;

import java.util.Arrays;

/** The compact encoding's primitives, into a growing array. Not thread-safe. */
final class BinaryOut {

    private byte[] bytes = new byte[256];
    private int size;

    void writeByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void writeFixed32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
    }

    void writeFixed64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
    }

    /** Zigzag then base-128 varint, as Avro and protobuf's sint64: small magnitudes take few bytes. */
    void writeSigned(long v) {
        writeUnsigned(v << 1 ^ v >> 63);
    }

    void writeUnsigned(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            bytes[size++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        bytes[size++] = (byte) v;
    }

    void writeBytes(byte[] b, int off, int len) {
        writeUnsigned(len);
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Length in bytes, then UTF-8; a lone surrogate (no UTF-8 form, no PostgreSQL text holds one) is refused. */
    void writeString(String s) {
        int n = s.length();
        int start = size;
        ensure(5 + 3 * n);
        size += 5; // room for the longest length varint; moved down below if shorter
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes[size++] = (byte) c;
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | c >> 6);
                bytes[size++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                char low = i + 1 < n ? s.charAt(i + 1) : 0;
                if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
                    size = start;
                    throw new DataException("string has a lone surrogate at index " + i + ": it has no UTF-8 form");
                }
                int cp = Character.toCodePoint(c, low);
                i++;
                bytes[size++] = (byte) (0xF0 | cp >> 18);
                bytes[size++] = (byte) (0x80 | cp >> 12 & 0x3F);
                bytes[size++] = (byte) (0x80 | cp >> 6 & 0x3F);
                bytes[size++] = (byte) (0x80 | cp & 0x3F);
            } else {
                bytes[size++] = (byte) (0xE0 | c >> 12);
                bytes[size++] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[size++] = (byte) (0x80 | c & 0x3F);
            }
        }
        int length = size - start - 5;
        size = start;
        writeUnsigned(length);
        System.arraycopy(bytes, start + 5, bytes, size, length);
        size += length;
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }

    void reset() {
        size = 0;
        if (bytes.length > 1 << 20) {
            bytes = new byte[256];
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
