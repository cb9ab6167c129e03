"""catalogue quality: dates with precision, release status, link direction, publisher class

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:40:00

Adds chip.announced_precision, chip.released_precision, chip.status, io_link.direction and
source.publisher_class, and recreates the three views that show them (chip_specs, chip_metrics
with io_basis, chip_sources). Like 0001 this file imports nothing from chipdb: the view texts
below are frozen as this revision created them (NEW) and as 0001 left them (OLD: all seven, for
downgrade, which drops every view before it drops the columns).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column name, type): the columns this revision adds, all nullable.
COLUMNS: tuple[tuple[str, str, sa.types.TypeEngine[str]], ...] = (
    ("chip", "announced_precision", sa.String(length=10)),
    ("chip", "released_precision", sa.String(length=10)),
    ("chip", "status", sa.String(length=20)),
    ("io_link", "direction", sa.String(length=20)),
    ("source", "publisher_class", sa.String(length=20)),
)

NEW: tuple[tuple[str, str], ...] = (
    ("chip_specs", """
CREATE VIEW chip_specs AS SELECT c.name AS chip, v.name AS vendor, c.family, c.variant, c.family_default,
       c.form_factor, c.market, c.region, c.architecture, c.announced, c.released,
       c.announced_precision, c.released_precision, c.status,
       c.datacenter, c.standalone_hbm, c.tdp_w,
       (SELECT MIN(m.type) FROM memory m WHERE m.chip_id = c.id) AS memory_type,
       cm.memory_capacity_gb, cm.memory_bandwidth_gbps,
       (SELECT MIN(d.process) FROM die d WHERE d.chip_id = c.id AND d.kind = 'logic')
           AS process,
       cm.logic_node_nm, cm.transistors_billion,
       MAX(CASE WHEN t.precision = 'fp64' THEN t.dense_tops END) AS fp64_dense_tops,
       MAX(CASE WHEN t.precision = 'fp64' THEN t.sparse_tops END) AS fp64_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp64_tensor' THEN t.dense_tops END) AS fp64_tensor_dense_tops,
       MAX(CASE WHEN t.precision = 'fp64_tensor' THEN t.sparse_tops END) AS fp64_tensor_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp32' THEN t.dense_tops END) AS fp32_dense_tops,
       MAX(CASE WHEN t.precision = 'fp32' THEN t.sparse_tops END) AS fp32_sparse_tops,
       MAX(CASE WHEN t.precision = 'tf32' THEN t.dense_tops END) AS tf32_dense_tops,
       MAX(CASE WHEN t.precision = 'tf32' THEN t.sparse_tops END) AS tf32_sparse_tops,
       MAX(CASE WHEN t.precision = 'bf16' THEN t.dense_tops END) AS bf16_dense_tops,
       MAX(CASE WHEN t.precision = 'bf16' THEN t.sparse_tops END) AS bf16_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp16' THEN t.dense_tops END) AS fp16_dense_tops,
       MAX(CASE WHEN t.precision = 'fp16' THEN t.sparse_tops END) AS fp16_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp8' THEN t.dense_tops END) AS fp8_dense_tops,
       MAX(CASE WHEN t.precision = 'fp8' THEN t.sparse_tops END) AS fp8_sparse_tops,
       MAX(CASE WHEN t.precision = 'int8' THEN t.dense_tops END) AS int8_dense_tops,
       MAX(CASE WHEN t.precision = 'int8' THEN t.sparse_tops END) AS int8_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp6' THEN t.dense_tops END) AS fp6_dense_tops,
       MAX(CASE WHEN t.precision = 'fp6' THEN t.sparse_tops END) AS fp6_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp4' THEN t.dense_tops END) AS fp4_dense_tops,
       MAX(CASE WHEN t.precision = 'fp4' THEN t.sparse_tops END) AS fp4_sparse_tops,
       MAX(CASE WHEN t.precision = 'int4' THEN t.dense_tops END) AS int4_dense_tops,
       MAX(CASE WHEN t.precision = 'int4' THEN t.sparse_tops END) AS int4_sparse_tops,
       c.origin, c.notes
FROM chip c
JOIN vendor v ON v.id = c.vendor_id
LEFT JOIN chip_metric cm ON cm.chip_id = c.id
LEFT JOIN throughput t ON t.chip_id = c.id
GROUP BY c.id, c.name, v.name, c.family, c.variant, c.family_default, c.form_factor,
         c.market, c.region, c.architecture, c.announced, c.released,
         c.announced_precision, c.released_precision, c.status, c.datacenter,
         c.standalone_hbm, c.tdp_w, cm.memory_capacity_gb, cm.memory_bandwidth_gbps,
         cm.logic_node_nm, cm.transistors_billion, c.origin, c.notes
"""),
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
    ("chip_sources", """
CREATE VIEW chip_sources AS SELECT c.name AS chip, cl.field, cl.value_num, cl.value_text, cl.preferred, cl.reason,
       cl.note, cl.derivation, COALESCE(cl.tier, s.tier) AS tier, s.key AS source,
       s.url, s.title, s.publisher, s.accessed, s.publisher_class
FROM claim cl
JOIN chip c ON c.id = cl.chip_id
JOIN source s ON s.id = cl.source_id
"""),
)

OLD: tuple[tuple[str, str], ...] = (
    ("chip_specs", """
CREATE VIEW chip_specs AS SELECT c.name AS chip, v.name AS vendor, c.family, c.variant, c.family_default,
       c.form_factor, c.market, c.region, c.architecture, c.announced, c.released,
       c.datacenter, c.standalone_hbm, c.tdp_w,
       (SELECT MIN(m.type) FROM memory m WHERE m.chip_id = c.id) AS memory_type,
       cm.memory_capacity_gb, cm.memory_bandwidth_gbps,
       (SELECT MIN(d.process) FROM die d WHERE d.chip_id = c.id AND d.kind = 'logic')
           AS process,
       cm.logic_node_nm, cm.transistors_billion,
       MAX(CASE WHEN t.precision = 'fp64' THEN t.dense_tops END) AS fp64_dense_tops,
       MAX(CASE WHEN t.precision = 'fp64' THEN t.sparse_tops END) AS fp64_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp64_tensor' THEN t.dense_tops END) AS fp64_tensor_dense_tops,
       MAX(CASE WHEN t.precision = 'fp64_tensor' THEN t.sparse_tops END) AS fp64_tensor_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp32' THEN t.dense_tops END) AS fp32_dense_tops,
       MAX(CASE WHEN t.precision = 'fp32' THEN t.sparse_tops END) AS fp32_sparse_tops,
       MAX(CASE WHEN t.precision = 'tf32' THEN t.dense_tops END) AS tf32_dense_tops,
       MAX(CASE WHEN t.precision = 'tf32' THEN t.sparse_tops END) AS tf32_sparse_tops,
       MAX(CASE WHEN t.precision = 'bf16' THEN t.dense_tops END) AS bf16_dense_tops,
       MAX(CASE WHEN t.precision = 'bf16' THEN t.sparse_tops END) AS bf16_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp16' THEN t.dense_tops END) AS fp16_dense_tops,
       MAX(CASE WHEN t.precision = 'fp16' THEN t.sparse_tops END) AS fp16_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp8' THEN t.dense_tops END) AS fp8_dense_tops,
       MAX(CASE WHEN t.precision = 'fp8' THEN t.sparse_tops END) AS fp8_sparse_tops,
       MAX(CASE WHEN t.precision = 'int8' THEN t.dense_tops END) AS int8_dense_tops,
       MAX(CASE WHEN t.precision = 'int8' THEN t.sparse_tops END) AS int8_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp6' THEN t.dense_tops END) AS fp6_dense_tops,
       MAX(CASE WHEN t.precision = 'fp6' THEN t.sparse_tops END) AS fp6_sparse_tops,
       MAX(CASE WHEN t.precision = 'fp4' THEN t.dense_tops END) AS fp4_dense_tops,
       MAX(CASE WHEN t.precision = 'fp4' THEN t.sparse_tops END) AS fp4_sparse_tops,
       MAX(CASE WHEN t.precision = 'int4' THEN t.dense_tops END) AS int4_dense_tops,
       MAX(CASE WHEN t.precision = 'int4' THEN t.sparse_tops END) AS int4_sparse_tops,
       c.origin, c.notes
FROM chip c
JOIN vendor v ON v.id = c.vendor_id
LEFT JOIN chip_metric cm ON cm.chip_id = c.id
LEFT JOIN throughput t ON t.chip_id = c.id
GROUP BY c.id, c.name, v.name, c.family, c.variant, c.family_default, c.form_factor,
         c.market, c.region, c.architecture, c.announced, c.released, c.datacenter,
         c.standalone_hbm, c.tdp_w, cm.memory_capacity_gb, cm.memory_bandwidth_gbps,
         cm.logic_node_nm, cm.transistors_billion, c.origin, c.notes
"""),
    ("chip_metrics", """
CREATE VIEW chip_metrics AS SELECT c.name AS chip, v.name AS vendor, c.family, c.market, c.region,
       c.datacenter, c.standalone_hbm,
       cm.tpp, cm.tpp_precision, cm.tpp_basis,
       cm.applicable_die_area_mm2, cm.performance_density,
       cm.bidirectional_io_gbps, cm.interconnect_gbps,
       cm.memory_bandwidth_gbps, cm.memory_capacity_gb, cm.memory_bandwidth_density,
       cm.transistors_billion, cm.logic_node_nm, cm.non_planar, cm.contains_hbm,
       cm.why_unknown, c.origin
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
    ("chip_margin", """
CREATE VIEW chip_margin AS SELECT c.name AS chip, vd.rule_id AS rule, vd.valid_from, vd.valid_to, vd.outcome,
       mg.clause, mg.metric, mg.op, mg.threshold, mg.value, mg.margin, mg.margin_pct,
       mg.met, mg.position
FROM margin mg
JOIN verdict vd ON vd.id = mg.verdict_id
JOIN chip c ON c.id = vd.chip_id
"""),
    ("chip_sources", """
CREATE VIEW chip_sources AS SELECT c.name AS chip, cl.field, cl.value_num, cl.value_text, cl.preferred, cl.reason,
       cl.note, cl.derivation, COALESCE(cl.tier, s.tier) AS tier, s.key AS source,
       s.url, s.title, s.publisher, s.accessed
FROM claim cl
JOIN chip c ON c.id = cl.chip_id
JOIN source s ON s.id = cl.source_id
"""),
    ("rule_thresholds", """
CREATE VIEW rule_thresholds AS SELECT r.id AS rule, r.short_title AS title, r.citation, r.effective, r.ended, r.status,
       r.layer, r.unverified, rt.clause, rt.metric, rt.op, rt.threshold, rt.parameter,
       rt.position
FROM rule_threshold rt
JOIN rule r ON r.id = rt.rule_id
"""),
    ("chip_names", """
CREATE VIEW chip_names AS SELECT c.name_key AS name_key, c.name AS chip, 'name' AS kind FROM chip c
UNION ALL
SELECT a.alias_key, c.name, 'alias' FROM chip_alias a JOIN chip c ON c.id = a.chip_id
UNION ALL
SELECT c.family_key, c.name, 'family' FROM chip c WHERE c.family_default = TRUE
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
    # In place, so rows that other tables reference are never copied (a batch rebuild of
    # `source` trips the claims' foreign key). SQLite has DROP COLUMN from 3.35.
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
