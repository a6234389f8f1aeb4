package dev.replog.cli;

import picocli.CommandLine.Command;

/** {@code replog follower ...}: operations on a whole follower. */
@Command(name = "follower", description = "Operations on a follower: rebuild it from the log.",
        subcommands = {FollowerRebuildCommand.class})
final class FollowerCommand {
}
