package dev.replog.serve.http;

import dev.replog.schemas.Lsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A read request: path segments and query parameters, percent-decoded ({@code +} stays a plus), and
 * the freshness it asks for. Keys are written in the path as their columns' text values in key order,
 * separated by {@code ,}; a {@code ,} or {@code %} inside a value is percent-encoded.
 */
record Request(List<String> rawSegments, Map<String, String> params, Map<String, String> rawParams, boolean forwarded,
               String pathAndQuery) {

    static Request parse(String rawPath, String rawQuery, boolean forwarded) {
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        Map<String, String> params = new HashMap<>();
        Map<String, String> raw = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                raw.put(name, eq < 0 ? "" : pair.substring(eq + 1));
                params.put(name, decode(raw.get(name)));
            }
        }
        return new Request(segments, params, raw, forwarded, rawPath + (rawQuery == null ? "" : "?" + rawQuery));
    }

    String segment(int i) {
        return decode(rawSegments.get(i));
    }

    /** A key's values: the raw segment split at {@code ,}, each part percent-decoded. */
    static List<String> keyValues(String raw) {
        List<String> values = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            values.add(decode(part));
        }
        return values;
    }

    /** A parameter holding a key or key prefix ({@link #keyValues}); null if absent. */
    List<String> keyParam(String name) {
        String raw = rawParams.get(name);
        return raw == null ? null : keyValues(raw);
    }

    /** {@code min_lsn}, null if not given. */
    Lsn minLsn() {
        String v = params.get("min_lsn");
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Lsn.parse(v);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("min_lsn '" + v + "' is not an LSN (X/Y, as pg_current_wal_lsn() prints it)");
        }
    }

    /** {@code max_wait_ms}: how long a read may wait for its min_lsn; default 5 s, at most {@code cap}. */
    Duration maxWait(Duration cap) {
        String v = params.get("max_wait_ms");
        long ms = 5_000;
        if (v != null && !v.isEmpty()) {
            try {
                ms = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new BadRequest("max_wait_ms '" + v + "' is not a number of milliseconds");
            }
            if (ms < 0) {
                throw new BadRequest("max_wait_ms must not be negative");
            }
        }
        return Duration.ofMillis(Math.min(ms, cap.toMillis()));
    }

    int intParam(String name, int def, int max) {
        String v = params.get(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > max) {
                throw new BadRequest(name + " must be between 1 and " + max + ", not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " '" + v + "' is not a number");
        }
    }

    /** Percent-decoding of a path segment or parameter; {@code +} is a plus, not a space. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            int next = s.indexOf('%', i);
            if (next < 0) {
                out.writeBytes(s.substring(i).getBytes(StandardCharsets.UTF_8));
                break;
            }
            out.writeBytes(s.substring(i, next).getBytes(StandardCharsets.UTF_8));
            int hi = next + 2 < s.length() ? Character.digit(s.charAt(next + 1), 16) : -1;
            int lo = next + 2 < s.length() ? Character.digit(s.charAt(next + 2), 16) : -1;
            if (hi < 0 || lo < 0) {
                throw new BadRequest("'" + s + "' has a bad percent escape");
            }
            out.write(hi * 16 + lo);
            i = next + 3;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A request the client must fix: 400 with this message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
