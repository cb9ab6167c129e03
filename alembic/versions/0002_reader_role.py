"""the read-only role chipdb_reader (PostgreSQL; nothing on SQLite)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from chipdb.store.write.reader import grant_reader, revoke_reader

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    grant_reader(op.get_bind())


def downgrade() -> None:
    revoke_reader(op.get_bind())
