#!/bin/sh
# Run once by the postgres image on an empty data directory, as the superuser: apply's role from
# deploy/sql/follower-role.sql. Apply creates every table itself.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role=replog_apply -v database="$POSTGRES_DB" \
    -v password="$(cat /run/secrets/replog_apply_password)" -f /replog/sql/follower-role.sql
