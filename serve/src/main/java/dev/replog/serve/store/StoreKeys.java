package dev.replog.serve.store;

import org.apache.kafka.common.utils.Bytes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keys of a replica store. A row's key is its primary-key values in key order, each as PostgreSQL's
 * text output in UTF-8, after a {@code 0x01} byte and separated by {@code 0x00}: PostgreSQL text
 * never holds a NUL byte, so no two keys meet, and the rows whose leading key columns equal given
 * values form one byte range (a prefix scan). Keys starting with {@code 0x00} are the store's own
 * entries ({@link #PROGRESS}, {@link #DEFINITION}) and never collide with rows.
 */
public final class StoreKeys {

    private static final byte ROW = 0x01;
    private static final byte SEPARATOR = 0x00;

    /** Where the partition stands in the leader's history: a {@link PartitionProgress}. */
    public static final Bytes PROGRESS = Bytes.wrap(new byte[]{0x00, 'p'});
    /** The table's definition as last published into this partition (JSON). */
    public static final Bytes DEFINITION = Bytes.wrap(new byte[]{0x00, 'd'});

    private StoreKeys() {
    }

    public static Bytes row(List<String> keyValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        out.write(ROW);
        for (int i = 0; i < keyValues.size(); i++) {
            if (i > 0) {
                out.write(SEPARATOR);
            }
            byte[] v = keyValues.get(i).getBytes(StandardCharsets.UTF_8);
            out.write(v, 0, v.length);
        }
        return Bytes.wrap(out.toByteArray());
    }

    /** The key values of a row key, in key order. */
    public static List<String> values(Bytes rowKey) {
        byte[] b = rowKey.get();
        List<String> values = new ArrayList<>(2);
        int start = 1;
        for (int i = 1; i <= b.length; i++) {
            if (i == b.length || b[i] == SEPARATOR) {
                values.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return values;
    }

    /** First key of the rows whose leading key columns equal {@code leading}. */
    public static Bytes prefixStart(List<String> leading) {
        if (leading.isEmpty()) {
            return Bytes.wrap(new byte[]{ROW});
        }
        byte[] b = row(leading).get();
        return Bytes.wrap(b);
    }

    /** Last key of that range, inclusive: UTF-8 never holds the byte {@code 0xFF}. */
    public static Bytes prefixEnd(List<String> leading) {
        byte[] start = prefixStart(leading).get();
        byte[] end = Arrays.copyOf(start, start.length + 1);
        end[start.length] = (byte) 0xFF;
        return Bytes.wrap(end);
    }
}
