#!/usr/bin/env bash
# Starts a PostgreSQL server on loopback for the test suite and prints its SQLAlchemy URL.
# Uses Debian's cluster tools (pg_ctlcluster); creates the role and database once.
set -euo pipefail
PORT="${CONFLICTRADAR_TEST_PG_PORT:-5432}"
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx main; then
  pg_createcluster "$version" main --port "$PORT" >/dev/null
fi
cluster_version=$(pg_lsclusters -h | awk '$2=="main"{print $1; exit}')
if ! pg_lsclusters -h | awk '$2=="main"{print $4}' | grep -qx online; then
  pg_ctlcluster "$cluster_version" main start -o "-c listen_addresses=127.0.0.1" >&2
fi
port=$(pg_lsclusters -h | awk '$2=="main"{print $3; exit}')
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
for _ in $(seq 1 30); do as_pg "psql -p $port -Atqc 'select 1'" >/dev/null 2>&1 && break; sleep 0.5; done
as_pg "psql -p $port -Atqc \"select 1 from pg_roles where rolname='conflictradar'\"" | grep -q 1 ||
  as_pg "psql -p $port -qc \"create role conflictradar login password 'conflictradar' createdb\"" >&2
as_pg "psql -p $port -Atqc \"select 1 from pg_database where datname='conflictradar_test'\"" | grep -q 1 ||
  as_pg "psql -p $port -qc 'create database conflictradar_test owner conflictradar'" >&2
echo "postgresql+psycopg://conflictradar:conflictradar@127.0.0.1:${port}/conflictradar_test"
