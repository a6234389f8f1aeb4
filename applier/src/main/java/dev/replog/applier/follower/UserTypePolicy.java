package dev.replog.applier.follower;

import dev.replog.applier.FollowerConnection;

/**
 * What the applier may do for a user type beyond the schema change's own transaction.
 *
 * @param follower         opens a connection of its own, on which labels added to an existing enum
 *                         are committed before the rows that use them; null: on the transaction's
 *                         own connection (where they cannot be used before it commits)
 * @param createExtensions whether an extension a type needs is created on the follower
 *                         ({@code apply.create.extensions}) rather than the table stopped
 */
public record UserTypePolicy(FollowerConnection follower, boolean createExtensions) {
}
