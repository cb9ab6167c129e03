"""the read-only role chipdb_reader (PostgreSQL only; nothing on SQLite)

`chipdb sql` connects as chipdb_reader: LOGIN, no superuser, no server-file or server-program
role, SELECT on the six views of this database and nothing else, and in this database
read-only transactions with a statement timeout by default. The role is cluster-wide, so it
is created once and granted per database; the downgrade takes this database's rights away and
keeps the role (other databases may use it). The SQL is frozen here, as a migration's must be;
chipdb.store.write.reader holds the same text for create_fresh and for views made again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANT = """
DO $chipdb$
DECLARE
    may_create boolean;
BEGIN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chipdb_reader') THEN
        IF NOT may_create THEN
            RAISE NOTICE 'chipdb: cannot create role chipdb_reader; chipdb sql needs it';
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE chipdb_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
                NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database's migration created it at the same moment
        END;
    END IF;
    IF may_create THEN
        EXECUTE format('ALTER ROLE chipdb_reader IN DATABASE %I SET '
                       'default_transaction_read_only = on', current_database());
        EXECUTE format('ALTER ROLE chipdb_reader IN DATABASE %I SET statement_timeout = %L',
                       current_database(), '30s');
        EXECUTE format('ALTER ROLE chipdb_reader IN DATABASE %I SET '
                       'idle_in_transaction_session_timeout = %L', current_database(), '60s');
    END IF;
    BEGIN  -- a migrating role that does not own the database cannot grant: chipdb still works
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO chipdb_reader', current_database());
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO chipdb_reader', current_schema());
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM chipdb_reader',
                       current_schema());
        EXECUTE format('GRANT SELECT ON %s TO chipdb_reader', 'chip_specs, chip_metrics, chip_verdict, chip_margin, chip_sources, rule_thresholds, chip_names');
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'chipdb: cannot grant chipdb_reader the views; chipdb sql needs it';
    END;
END
$chipdb$
"""

REVOKE = """
DO $chipdb$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chipdb_reader') THEN
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM chipdb_reader',
                       current_schema());
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM chipdb_reader', current_schema());
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM chipdb_reader', current_database());
    END IF;
END
$chipdb$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GRANT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REVOKE)
