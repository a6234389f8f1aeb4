package dev.replog.applier;

import java.util.Locale;

/**
 * Which expressions of the log's schema changes (column DEFAULTs, CHECK constraints, generated
 * columns, a domain's DEFAULT and CHECKs) a follower runs (config key {@code apply.schema.expressions}).
 * Either way an expression must be one single SQL expression that the follower parses without
 * running it; text that is anything else is never run.
 */
public enum SchemaExpressions {
    /**
     * Literals, columns, casts and operators of PostgreSQL's own catalog, the built-in functions of
     * {@code ExpressionTree}'s list (now(), gen_random_uuid(), lower(), ...), and nextval() of a
     * sequence the table itself owns. Anything else is refused as a poison event.
     */
    SAFE,
    /** Also any other function or operator the follower has: for logs whose every writer may run SQL as the follower user. */
    ANY;

    /** Parses the configured spelling, {@code safe} or {@code any}. */
    public static SchemaExpressions parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
