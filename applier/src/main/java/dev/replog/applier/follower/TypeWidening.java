package dev.replog.applier.follower;

import dev.replog.schemas.TableDefinition.ColumnDefinition;

import java.util.List;
import java.util.Map;

/**
 * Which column type changes a follower may follow: those that keep every value it holds exactly
 * (int to bigint, varchar(n) to a longer varchar or text, numeric(p,s) to one with at least as
 * many integer and fraction digits). Anything else could lose or alter data and is refused.
 */
public final class TypeWidening {

    /** Types each type widens to without changing any value. */
    private static final Map<String, List<String>> WIDER = Map.of(
            "int2", List.of("int4", "int8", "numeric"),
            "int4", List.of("int8", "numeric"),
            "int8", List.of("numeric"),
            "float4", List.of("float8"),
            "varchar", List.of("text"),
            "bpchar", List.of("text", "varchar"));

    /** PostgreSQL stores varchar/bpchar length and numeric precision with this header offset. */
    private static final int VARHDRSZ = 4;

    private TypeWidening() {
    }

    static boolean isWidening(ColumnDefinition from, ColumnDefinition to) {
        String a = from.typeName();
        String b = to.typeName();
        if (a.startsWith("_") != b.startsWith("_")) {
            return false;
        }
        if (a.startsWith("_")) {
            a = a.substring(1);
            b = b.substring(1);
        }
        int fromMod = from.typmod();
        int toMod = to.typmod();
        if (a.equals(b)) {
            return switch (a) {
                case "varchar", "bpchar", "bit", "varbit" -> toMod == -1 || (fromMod != -1 && toMod >= fromMod);
                case "numeric" -> toMod == -1 || (fromMod != -1 && numericFits(fromMod, toMod));
                default -> fromMod == toMod;
            };
        }
        if (!WIDER.getOrDefault(a, List.of()).contains(b)) {
            return false;
        }
        // An integer fits an unconstrained numeric only; a bpchar fits a varchar only if long enough.
        return switch (b) {
            case "numeric" -> toMod == -1;
            case "varchar" -> toMod == -1 || (fromMod != -1 && toMod >= fromMod);
            default -> true;
        };
    }

    private static boolean numericFits(int fromMod, int toMod) {
        int fromPrecision = ((fromMod - VARHDRSZ) >> 16) & 0xffff;
        int fromScale = (fromMod - VARHDRSZ) & 0xffff;
        int toPrecision = ((toMod - VARHDRSZ) >> 16) & 0xffff;
        int toScale = (toMod - VARHDRSZ) & 0xffff;
        return toScale >= fromScale && toPrecision - toScale >= fromPrecision - fromScale;
    }
}
