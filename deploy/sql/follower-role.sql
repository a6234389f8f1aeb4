-- The follower role of `replog apply`, with the least privileges it needs (README, "Privileges").
-- Run by a superuser or the database owner, with psql:
--
--   psql -v ON_ERROR_STOP=1 -v role=replog_apply -v database=shop \
--        -v password="$(cat /path/to/apply-password)" -d shop -f deploy/sql/follower-role.sql
--
-- role: the login apply uses (follower.user); database: the follower database (in follower.jdbc.url);
-- password: follower.password. PrivilegesTest runs this file and then apply as this role.

CREATE ROLE :"role" LOGIN PASSWORD :'password';

-- Apply creates the schema `replog` and every follower table, enum and domain, so it owns them (schema
-- changes are applied with ALTER TABLE); it runs CREATE SCHEMA IF NOT EXISTS for each leader schema,
-- and PostgreSQL checks CREATE on the database before it looks whether the schema exists.
GRANT CREATE ON DATABASE :"database" TO :"role";

-- Each leader schema that exists on the follower already (here public); repeat for the others.
GRANT CREATE ON SCHEMA public TO :"role";
