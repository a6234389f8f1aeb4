#!/bin/sh
# Run once by the postgres image on an empty data directory, as the superuser: an application whose
# tables belong to their own role, and capture's role from deploy/sql/leader-role.sql.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE app_owner NOLOGIN;
GRANT CREATE ON SCHEMA public TO app_owner;
SET ROLE app_owner;
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint NOT NULL REFERENCES customers, total numeric(12,2) NOT NULL,
                     placed_at timestamptz NOT NULL DEFAULT now());
INSERT INTO customers SELECT g, 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, 1 + g % 100, g * 1.25 FROM generate_series(1, 500) g;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role=replog_capture -v database="$POSTGRES_DB" -v owner=app_owner \
    -v password="$(cat /run/secrets/replog_capture_password)" -f /replog/sql/leader-role.sql
