package dev.replog.applier.rebuild;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.applier.transactional.ActiveLease;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Refuses a rebuild while an applier of the follower runs: it would apply the log into tables the
 * rebuild drops and positions it resets, and the two would fence each other. Row mode: the consumer
 * group {@code apply.group.id} has members; transactional mode: the active applier's lease is held.
 */
final class RunningAppliers {

    private RunningAppliers() {
    }

    static void refuse(ApplierSettings s, Admin admin, Connection follower) throws SQLException {
        List<MemberDescription> members = groupMembers(admin, s.groupId());
        if (!members.isEmpty()) {
            throw new ApplyException("an applier of follower " + s.follower() + " is running: consumer group '" + s.groupId()
                    + "' has " + members.size() + " active member(s) (" + members.get(0).clientId() + " on "
                    + members.get(0).host() + (members.size() > 1 ? ", ..." : "") + "); stop every `replog apply` of this "
                    + "follower first, then rebuild (it goes on applying afterwards unless --no-follow)");
        }
        Optional<String> holder = ActiveLease.activeHolder(follower);
        follower.rollback();
        if (holder.isPresent()) {
            throw new ApplyException("an applier of follower " + s.follower() + " is running: the transactional applier's "
                    + "lease is held by session " + holder.get() + "; stop every `replog apply` of this follower first, "
                    + "then rebuild (it goes on applying afterwards unless --no-follow)");
        }
    }

    private static List<MemberDescription> groupMembers(Admin admin, String group) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            return d == null ? List.of() : List.copyOf(d.members());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of(); // a group that never existed has no members
            }
            throw new ApplyException("cannot tell whether consumer group '" + group + "' has running appliers: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new ApplyException("cannot tell whether consumer group '" + group + "' has running appliers: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while describing consumer group '" + group + "'", e);
        }
    }
}
