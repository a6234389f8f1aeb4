-- The leader role of `replog capture`, with the least privileges it needs (README, "Privileges").
-- Run by a superuser or the database owner, with psql:
--
--   psql -v ON_ERROR_STOP=1 -v role=replog_capture -v database=shop -v owner=app_owner \
--        -v password="$(cat /path/to/capture-password)" -d shop -f deploy/sql/leader-role.sql
--
-- role: the login capture uses (leader.user); database: the captured database (leader.database);
-- owner: the role that owns the captured tables; password: leader.password.
-- PrivilegesTest runs this file and then capture as this role.

-- REPLICATION: creating the slot and streaming the WAL.
CREATE ROLE :"role" LOGIN REPLICATION PASSWORD :'password';

-- Capture creates its schema `replog` (heartbeat row, signal table, captured_tables) and the publication.
GRANT CREATE ON DATABASE :"database" TO :"role";

-- Only a role with the privileges of a table's owner may add it to a publication; this also covers
-- SELECT for the initial snapshot. (Without it: README, "Privileges", for what capture then needs.)
GRANT :"owner" TO :"role";

-- With capture.timetz.offsets=exact and a captured table with a timetz column, also, per such schema:
-- GRANT CREATE ON SCHEMA <schema> TO <role>;
