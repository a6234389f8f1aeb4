package dev.replog.capture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits one row of {@code COPY ... TO STDOUT} in text format (client encoding UTF-8) into its
 * columns' text: tab-separated, {@code \N} for NULL, and backslash escapes for backslash, tab,
 * newline, carriage return, backspace, form feed and vertical tab (all COPY writes). What remains is
 * exactly the column's text output, as {@code SELECT} would return it.
 */
final class CopyTextRow {

    private CopyTextRow() {
    }

    /** @param row one CopyData message: a row and its newline */
    static String[] split(byte[] row, int columns) {
        String[] out = new String[columns];
        int end = row.length > 0 && row[row.length - 1] == '\n' ? row.length - 1 : row.length;
        int column = 0;
        int start = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || row[i] == '\t') {
                if (column >= columns) {
                    throw new IllegalStateException("COPY row has more than " + columns + " columns");
                }
                out[column++] = field(row, start, i);
                start = i + 1;
            }
        }
        if (column != columns) {
            throw new IllegalStateException("COPY row has " + column + " columns, expected " + columns);
        }
        return out;
    }

    private static String field(byte[] row, int from, int to) {
        if (to - from == 2 && row[from] == '\\' && row[from + 1] == 'N') {
            return null;
        }
        int backslash = -1;
        for (int i = from; i < to; i++) {
            if (row[i] == '\\') {
                backslash = i;
                break;
            }
        }
        if (backslash < 0) {
            return new String(row, from, to - from, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(to - from);
        b.write(row, from, backslash - from);
        for (int i = backslash; i < to; i++) {
            byte c = row[i];
            if (c != '\\' || i + 1 == to) {
                b.write(c);
                continue;
            }
            byte e = row[++i];
            switch (e) {
                case 'b' -> b.write('\b');
                case 'f' -> b.write('\f');
                case 'n' -> b.write('\n');
                case 'r' -> b.write('\r');
                case 't' -> b.write('\t');
                case 'v' -> b.write(0x0b);
                default -> b.write(e); // \\ and any other escaped character stand for themselves
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
