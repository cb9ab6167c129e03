"""ranges and verdicts under uncertainty: claim and metric ranges, possible outcomes,
confidence, conventions and deciding lines on verdicts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:20:00

Adds claim.value_low/high, chip_metric.<metric>_low/_high for TPP, applicable die area and
performance density, and verdict.possible_outcomes/confidence/confidence_unverified/
conventions/deciding; recreates the three views that show them (chip_metrics, chip_verdict,
chip_sources) and grants chipdb_reader SELECT on them again. Imports nothing from chipdb: the
view texts are frozen as this revision creates them (NEW) and as 0003 left them (OLD).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column name, type): the columns this revision adds, all nullable.
COLUMNS: tuple[tuple[str, str, sa.types.TypeEngine[object]], ...] = (
    ("claim", "value_low", sa.Float()),
    ("claim", "value_high", sa.Float()),
    ("chip_metric", "tpp_low", sa.Float()),
    ("chip_metric", "tpp_high", sa.Float()),
    ("chip_metric", "applicable_die_area_mm2_low", sa.Float()),
    ("chip_metric", "applicable_die_area_mm2_high", sa.Float()),
    ("chip_metric", "performance_density_low", sa.Float()),
    ("chip_metric", "performance_density_high", sa.Float()),
    ("verdict", "possible_outcomes", sa.Text()),
    ("verdict", "confidence", sa.String(length=20)),
    ("verdict", "confidence_unverified", sa.Text()),
    ("verdict", "conventions", sa.Text()),
    ("verdict", "deciding", sa.Text()),
)

NEW: tuple[tuple[str, str], ...] = (
    ("chip_metrics", """
CREATE VIEW chip_metrics AS SELECT c.name AS chip, v.name AS vendor, c.family, c.market, c.region,
       c.datacenter, c.standalone_hbm,
       cm.tpp, cm.tpp_precision, cm.tpp_basis,
       cm.applicable_die_area_mm2, cm.performance_density,
       cm.bidirectional_io_gbps, cm.interconnect_gbps,
       cm.memory_bandwidth_gbps, cm.memory_capacity_gb, cm.memory_bandwidth_density,
       cm.transistors_billion, cm.logic_node_nm, cm.non_planar, cm.contains_hbm,
       cm.why_unknown, c.origin,
       CASE WHEN EXISTS (SELECT 1 FROM io_link l WHERE l.chip_id = c.id
                         AND l.direction = 'unstated') THEN 'unstated-as-bidirectional'
            WHEN EXISTS (SELECT 1 FROM io_link l WHERE l.chip_id = c.id) THEN 'stated'
       END AS io_basis,
       cm.tpp_low, cm.tpp_high, cm.applicable_die_area_mm2_low,
       cm.applicable_die_area_mm2_high, cm.performance_density_low, cm.performance_density_high
FROM chip c
JOIN vendor v ON v.id = c.vendor_id
JOIN chip_metric cm ON cm.chip_id = c.id
"""),
    ("chip_verdict", """
CREATE VIEW chip_verdict AS SELECT c.name AS chip, v.name AS vendor, r.id AS rule, r.short_title AS rule_title,
       r.citation, r.layer, r.status AS rule_status, r.unverified AS rule_unverified,
       r.effective, r.ended, vd.valid_from, vd.valid_to,
       vd.outcome, vd.determined, vd.reason, vd.missing, vd.exceptions, c.origin,
       vd.possible_outcomes, vd.confidence, vd.confidence_unverified, vd.conventions,
       vd.deciding
FROM verdict vd
JOIN chip c ON c.id = vd.chip_id
JOIN vendor v ON v.id = c.vendor_id
JOIN rule r ON r.id = vd.rule_id
"""),
    ("chip_sources", """
CREATE VIEW chip_sources AS SELECT c.name AS chip, cl.field, cl.value_num, cl.value_text, cl.preferred, cl.reason,
       cl.note, cl.derivation, COALESCE(cl.tier, s.tier) AS tier, s.key AS source,
       s.url, s.title, s.publisher, s.accessed, s.publisher_class, cl.value_low,
       cl.value_high
FROM claim cl
JOIN chip c ON c.id = cl.chip_id
JOIN source s ON s.id = cl.source_id
"""),
)

OLD: tuple[tuple[str, str], ...] = (
    ("chip_metrics", """
CREATE VIEW chip_metrics AS SELECT c.name AS chip, v.name AS vendor, c.family, c.market, c.region,
       c.datacenter, c.standalone_hbm,
       cm.tpp, cm.tpp_precision, cm.tpp_basis,
       cm.applicable_die_area_mm2, cm.performance_density,
       cm.bidirectional_io_gbps, cm.interconnect_gbps,
       cm.memory_bandwidth_gbps, cm.memory_capacity_gb, cm.memory_bandwidth_density,
       cm.transistors_billion, cm.logic_node_nm, cm.non_planar, cm.contains_hbm,
       cm.why_unknown, c.origin,
       CASE WHEN EXISTS (SELECT 1 FROM io_link l WHERE l.chip_id = c.id
                         AND l.direction = 'unstated') THEN 'unstated-as-bidirectional'
            WHEN EXISTS (SELECT 1 FROM io_link l WHERE l.chip_id = c.id) THEN 'stated'
       END AS io_basis
FROM chip c
JOIN vendor v ON v.id = c.vendor_id
JOIN chip_metric cm ON cm.chip_id = c.id
"""),
    ("chip_verdict", """
CREATE VIEW chip_verdict AS SELECT c.name AS chip, v.name AS vendor, r.id AS rule, r.short_title AS rule_title,
       r.citation, r.layer, r.status AS rule_status, r.unverified AS rule_unverified,
       r.effective, r.ended, vd.valid_from, vd.valid_to,
       vd.outcome, vd.determined, vd.reason, vd.missing, vd.exceptions, c.origin
FROM verdict vd
JOIN chip c ON c.id = vd.chip_id
JOIN vendor v ON v.id = c.vendor_id
JOIN rule r ON r.id = vd.rule_id
"""),
    ("chip_sources", """
CREATE VIEW chip_sources AS SELECT c.name AS chip, cl.field, cl.value_num, cl.value_text, cl.preferred, cl.reason,
       cl.note, cl.derivation, COALESCE(cl.tier, s.tier) AS tier, s.key AS source,
       s.url, s.title, s.publisher, s.accessed, s.publisher_class
FROM claim cl
JOIN chip c ON c.id = cl.chip_id
JOIN source s ON s.id = cl.source_id
"""),
)


# A view dropped and made again loses its grants: give chipdb_reader (migration 0002) SELECT on
# the views this revision recreates, as 0002 did, where the role exists.
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


def _regrant(views: Sequence[tuple[str, str]]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REGRANT.format(views=", ".join(name for name, _ in views)))


def upgrade() -> None:
    for name, _statement in reversed(NEW):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table, column, kind in COLUMNS:
        op.add_column(table, sa.Column(column, kind, nullable=True))
    for _name, statement in NEW:
        op.execute(statement)
    _regrant(NEW)


def _drop_column(table: str, column: str) -> None:
    # In place, as 0003 does: a batch rebuild would copy rows other tables reference.
    bind = op.get_bind()
    version = bind.dialect.server_version_info or (0,)
    if bind.dialect.name == "sqlite" and tuple(version) < (3, 35):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
    else:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def downgrade() -> None:
    for name, _statement in reversed(OLD):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table, column, _kind in reversed(COLUMNS):
        _drop_column(table, column)
    for _name, statement in OLD:
        op.execute(statement)
    _regrant(OLD)
