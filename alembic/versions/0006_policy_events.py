"""policy events (issue 14): seeds/events/events.toml as a table and the policy_events view

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:20:00

Dated policy events that are not thresholds (licensing practice, statements, import-side
measures, bills, findings), shown on timelines and by `chipdb changes`. Like 0001, this file
imports nothing from chipdb and carries its own view text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (view, CREATE VIEW statement) in creation order; downgrade drops them in reverse. Frozen.
VIEWS: tuple[tuple[str, str], ...] = (
    ("policy_events", """
CREATE VIEW policy_events AS SELECT e.id AS event, e.day, e.date_precision, e.title, e.jurisdiction, e.kind, e.chips,
       e.vendors, e.evidence, e.rule_id AS rule, r.status AS rule_status, e.sources,
       e.summary, e.unverified, e.missing
FROM policy_event e
LEFT JOIN rule r ON r.id = e.rule_id
"""),
)

# A new view has no grants: give chipdb_reader (migration 0002) SELECT on it, as 0002 did,
# where the role exists (create_fresh grants every view of sql_views).
REGRANT = """
DO $chipdb$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chipdb_reader') THEN
        BEGIN
            EXECUTE format('GRANT SELECT ON %s TO chipdb_reader', '{views}');
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'chipdb: cannot grant chipdb_reader the views; chipdb sql needs it';
        END;
    END IF;
END
$chipdb$
"""


def upgrade() -> None:
    op.create_table('policy_event',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('date_precision', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('chips', sa.Text(), nullable=True),
    sa.Column('vendors', sa.Text(), nullable=True),
    sa.Column('evidence', sa.String(length=20), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=True),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('unverified', sa.Boolean(), nullable=False),
    sa.Column('missing', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_event'))
    )
    with op.batch_alter_table('policy_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_event_day'), ['day'], unique=False)
    for _, ddl in VIEWS:
        op.execute(ddl.strip())
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REGRANT.format(views=", ".join(name for name, _ in VIEWS)))


def downgrade() -> None:
    for name, _ in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table('policy_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_event_day'))
    op.drop_table('policy_event')
