package dev.replog.cli.config;

import dev.replog.schemas.JdbcUrls;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of followers in a configuration key ({@code await.followers}, {@code status.followers}),
 * separated by commas: a SQL follower as its JDBC URL, a serve group as
 * {@code serve:host:port[;host:port...]} (any of its instances).
 */
public final class FollowerList {

    /** One follower of the list. */
    public sealed interface Entry permits SqlFollower, ServeGroup {
    }

    /** A SQL follower: user, password and sslmode, if any, are in the URL. */
    public record SqlFollower(String jdbcUrl) implements Entry {
    }

    /** A serve group, reached through any of these instances ({@code host:port}). */
    public record ServeGroup(List<String> instances) implements Entry {
    }

    private FollowerList() {
    }

    /** The key's entries in order; an entry that is neither is a configuration error naming the key. */
    public static List<Entry> parse(ReplogConfig c, ConfigKey key) {
        List<Entry> all = new ArrayList<>();
        for (String entry : c.string(key).split(",")) {
            String e = entry.trim();
            if (e.startsWith("jdbc:postgresql://")) {
                all.add(new SqlFollower(e));
            } else if (e.startsWith("serve:")) {
                all.add(new ServeGroup(List.of(e.substring("serve:".length()).split(";"))));
            } else if (!e.isEmpty()) {
                throw new ConfigException("config key '" + key.name() + "': '" + JdbcUrls.redact(e)
                        + "' is neither a JDBC URL (jdbc:postgresql://...) nor a serve group (serve:host:port[;host:port...])");
            }
        }
        return all;
    }
}
