package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link Verifier} found for one table (and, with repair, what it wrote).
 *
 * @param problem         why the table could not be compared (then nothing else is set); null if it was
 * @param leaderRows      rows the leader had as its chunks were read
 * @param followerRows    rows the follower had as its chunks were read
 * @param checksum        checksum of the leader's rows as read (see {@link ChunkSum})
 * @param differingChunks ranges with rows found different, or that could not be narrowed or re-checked
 * @param changed         rows on both with other values on the follower
 * @param missing         rows on the leader that the follower lacks
 * @param extra           rows on the follower that the leader lacks
 * @param unsettled       rows that changed on the leader in every re-check (not compared; not differences)
 * @param unverified      why some differing ranges could not be narrowed to rows (they are differences); null if none
 * @param firstRange      the first differing range, as a WHERE condition; null if none
 * @param firstKeys       the first few differing rows (at most {@value Verifier#EXAMPLES})
 * @param repaired        rows written on the follower; null without repair
 * @param repairProblem   why the repair of some range failed; null if none did
 */
public record TableVerification(TableId table, String problem, long leaderRows, long followerRows, String checksum,
                                 int chunks, int chunkRows, int differingChunks, long changed, long missing, long extra,
                                 long unsettled, String unverified, String firstRange, List<RowDifference> firstKeys,
                                 Repaired repaired, String repairProblem) {

    /** Rows the repair wrote on the follower, by what the follower's row was. */
    public record Repaired(long inserted, long updated, long deleted) {
        static final Repaired NONE = new Repaired(0, 0, 0);

        Repaired plus(Repaired o) {
            return new Repaired(inserted + o.inserted, updated + o.updated, deleted + o.deleted);
        }
    }

    public enum Verdict { MATCH, MISMATCH, REPAIRED }

    public long differences() {
        return changed + missing + extra;
    }

    public Verdict verdict() {
        if (problem != null || unverified != null) {
            return Verdict.MISMATCH;
        }
        if (differences() == 0) {
            return Verdict.MATCH;
        }
        return repaired != null && repairProblem == null ? Verdict.REPAIRED : Verdict.MISMATCH;
    }

    /** The table as it is written in {@code capture.tables}. */
    public String tableName() {
        return TableComparison.written(table);
    }

    /** One line for an operator: verdict, counts and, for a difference, where it is. */
    public String describe() {
        String head = String.format("%-9s %s: ", verdict(), tableName());
        if (problem != null) {
            return head + problem;
        }
        String chunking = chunks + (chunks == 1 ? " chunk" : " chunks") + " of up to " + chunkRows + " rows";
        String unsettledNote = unsettled == 0 ? ""
                : "; " + unsettled + (unsettled == 1 ? " row" : " rows") + " changed on the leader in every re-check and were not compared";
        if (differences() == 0 && unverified == null) {
            return head + leaderRows + " rows in " + chunking + ", checksum " + checksum + unsettledNote;
        }
        StringBuilder sb = new StringBuilder(head).append("leader ").append(leaderRows).append(" rows, follower ")
                .append(followerRows).append(" rows; ").append(differingChunks).append(" of ").append(chunking).append(" differ");
        if (differences() > 0) {
            sb.append(": ").append(differences()).append(differences() == 1 ? " row" : " rows").append(" (")
                    .append(changed).append(" changed, ").append(missing).append(" missing, ").append(extra).append(" extra on the follower)");
        }
        if (firstRange != null) {
            sb.append(", the first at key range ").append(firstRange);
        }
        if (!firstKeys.isEmpty()) {
            sb.append(", keys ").append(firstKeys.stream().map(RowDifference::describeKey).collect(Collectors.joining(", ")));
            if (firstKeys.size() < differences()) {
                sb.append(", ...");
            }
        }
        if (unverified != null) {
            sb.append("; ").append(unverified);
        }
        if (repaired != null) {
            sb.append("; repaired ").append(repaired.inserted()).append(" inserted, ").append(repaired.updated())
                    .append(" updated, ").append(repaired.deleted()).append(" deleted");
        }
        if (repairProblem != null) {
            sb.append("; repair failed: ").append(repairProblem);
        }
        return sb.append(unsettledNote).toString();
    }

    static TableVerification problem(TableId table, String problem) {
        return new TableVerification(table, problem, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, null, null, List.of(), null, null);
    }
}
