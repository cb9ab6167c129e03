"""The read-only PostgreSQL role `chipdb sql` connects as: created, limited and granted the views.

``chipdb_reader`` LOGINs (a role that is only SET inside a superuser's session could be left with
``set_config('role', ...)`` in the middle of a statement), may SELECT the views of this database
and nothing else, is no member of pg_read_server_files / pg_execute_server_program, and in this
database defaults to read-only transactions with a statement timeout. Roles are cluster-wide: the
role is created once and granted per database; a server where the migrating user may not create
roles keeps working, only `chipdb sql` then says what to do.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from chipdb.store.sql_views import VIEW_NAMES
from chipdb.store.url import READER_ROLE

READER_STATEMENT_TIMEOUT = "30s"  # the interactive psql; `chipdb sql` sets its own --timeout

_GRANT = f"""
DO $chipdb$
DECLARE
    may_create boolean;
BEGIN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN
        IF NOT may_create THEN
            RAISE NOTICE 'chipdb: cannot create role {READER_ROLE}; chipdb sql needs it';
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE {READER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
                NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database's migration created it at the same moment
        END;
    END IF;
    IF may_create THEN
        EXECUTE format('ALTER ROLE {READER_ROLE} IN DATABASE %I SET '
                       'default_transaction_read_only = on', current_database());
        EXECUTE format('ALTER ROLE {READER_ROLE} IN DATABASE %I SET statement_timeout = %L',
                       current_database(), '{READER_STATEMENT_TIMEOUT}');
        EXECUTE format('ALTER ROLE {READER_ROLE} IN DATABASE %I SET '
                       'idle_in_transaction_session_timeout = %L', current_database(), '60s');
    END IF;
    BEGIN  -- a migrating role that does not own the database cannot grant: chipdb still works
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO {READER_ROLE}', current_database());
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {READER_ROLE}', current_schema());
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {READER_ROLE}',
                       current_schema());
        EXECUTE format('GRANT SELECT ON %s TO {READER_ROLE}', '{", ".join(VIEW_NAMES)}');
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'chipdb: cannot grant {READER_ROLE} the views; chipdb sql needs it';
    END;
END
$chipdb$
"""

_REVOKE = f"""
DO $chipdb$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {READER_ROLE}',
                       current_schema());
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM {READER_ROLE}', current_schema());
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM {READER_ROLE}', current_database());
    END IF;
END
$chipdb$
"""


def grant_reader(conn: Connection) -> None:
    """Give the reader role SELECT on the current views (again after views are recreated)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(_GRANT))


def revoke_reader(conn: Connection) -> None:
    """Take this database's rights from the reader role (the role stays: roles are shared)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(_REVOKE))
