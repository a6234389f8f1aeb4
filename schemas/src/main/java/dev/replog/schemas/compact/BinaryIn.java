package dev.replog.schemas.compact;

import dev.replog.schemas.EventFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link BinaryOut} wrote; a record cut short or malformed is an {@link EventFormatException}. */
final class BinaryIn {

    private final byte[] bytes;
    private int pos;

    BinaryIn(byte[] bytes, int pos) {
        this.bytes = bytes;
        this.pos = pos;
    }

    int readByte() {
        need(1);
        return bytes[pos++];
    }

    boolean readPresence() {
        int b = readByte();
        if (b != 0 && b != 1) {
            throw new EventFormatException("compact record: presence byte " + b + " at offset " + (pos - 1) + " (expected 0 or 1)");
        }
        return b == 1;
    }

    int readFixed32() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | (bytes[pos++] & 0xFF);
        }
        return v;
    }

    long readFixed64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (bytes[pos++] & 0xFF);
        }
        return v;
    }

    long readSigned() {
        long raw = readUnsigned();
        return raw >>> 1 ^ -(raw & 1);
    }

    long readUnsigned() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new EventFormatException("compact record: varint longer than 10 bytes at offset " + pos);
    }

    int readLength() {
        long n = readUnsigned();
        if (n > bytes.length - pos) {
            throw new EventFormatException("compact record: cut short: length " + n + " at offset " + pos + " runs past its end (" + bytes.length + " bytes)");
        }
        return (int) n;
    }

    /**
     * The element count of an array or map. Not checked against the bytes left (an element of a struct
     * without fields takes none), only against what an array can hold.
     */
    int readCount() {
        long n = readUnsigned();
        if (n > Integer.MAX_VALUE - 8) {
            throw new EventFormatException("compact record: count " + n + " at offset " + pos + " is larger than an array can be");
        }
        return (int) n;
    }

    String readString() {
        int n = readLength();
        String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    byte[] readBytes() {
        int n = readLength();
        byte[] b = Arrays.copyOfRange(bytes, pos, pos + n);
        pos += n;
        return b;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos == bytes.length;
    }

    private void need(int n) {
        if (pos + n > bytes.length) {
            throw new EventFormatException("compact record: cut short at offset " + pos + " (" + bytes.length + " bytes)");
        }
    }
}
