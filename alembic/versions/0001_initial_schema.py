"""initial schema: the tables and the seven public views, frozen as this revision created them

Revision ID: 0001
Revises:
Create Date: 2026-11-29 15:57:32.749637

This file imports nothing from chipdb, so editing chipdb can never change what 0001 creates.
The view DDL below is the exact text 0001 has always executed; never edit it. A change to a view
is a new migration that carries its own text (docs/architecture.md, "Add or change a view"), and
chipdb/store/sql_views.py holds the DDL at head (tests/test_fresh_schema.py keeps them equal).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (view, CREATE VIEW statement) in creation order; downgrade drops them in reverse. Frozen.
VIEWS: tuple[tuple[str, str], ...] = (
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


def upgrade() -> None:
    # user_import survives a downgrade to base (it holds the user's own data), so it may exist
    if not sa.inspect(op.get_bind()).has_table("user_import"):
        op.create_table('user_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('imported_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_import')),
        sa.UniqueConstraint('name', name=op.f('uq_user_import_name'))
        )
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('meta',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('rule',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('short_title', sa.Text(), nullable=True),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('ended', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('layer', sa.String(length=40), nullable=False),
    sa.Column('unverified', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('wording', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule'))
    )
    with op.batch_alter_table('rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_origin'), ['origin'], unique=False)

    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('accessed', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source')),
    sa.UniqueConstraint('key', name=op.f('uq_source_key'))
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_origin'), ['origin'], unique=False)

    op.create_table('vendor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor')),
    sa.UniqueConstraint('name', name=op.f('uq_vendor_name'))
    )
    op.create_table('chip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('family', sa.String(length=100), nullable=False),
    sa.Column('family_key', sa.String(length=100), nullable=False),
    sa.Column('variant', sa.String(length=200), nullable=True),
    sa.Column('family_default', sa.Boolean(), nullable=False),
    sa.Column('form_factor', sa.String(length=100), nullable=True),
    sa.Column('market', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=False),
    sa.Column('architecture', sa.String(length=100), nullable=True),
    sa.Column('announced', sa.Date(), nullable=True),
    sa.Column('released', sa.Date(), nullable=True),
    sa.Column('datacenter', sa.Boolean(), nullable=True),
    sa.Column('standalone_hbm', sa.Boolean(), nullable=False),
    sa.Column('tdp_w', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('source_file', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_chip_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chip')),
    sa.UniqueConstraint('name', name=op.f('uq_chip_name')),
    sa.UniqueConstraint('name_key', name=op.f('uq_chip_name_key'))
    )
    with op.batch_alter_table('chip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chip_family'), ['family'], unique=False)
        batch_op.create_index(batch_op.f('ix_chip_family_key'), ['family_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_chip_origin'), ['origin'], unique=False)
        batch_op.create_index(batch_op.f('ix_chip_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('rule_threshold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('clause', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=200), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('parameter', sa.String(length=100), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['rule.id'], name=op.f('fk_rule_threshold_rule_id_rule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_threshold'))
    )
    with op.batch_alter_table('rule_threshold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_threshold_rule_id'), ['rule_id'], unique=False)

    op.create_table('chip_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=120), nullable=False),
    sa.Column('alias_key', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_chip_alias_chip_id_chip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chip_alias')),
    sa.UniqueConstraint('alias_key', name=op.f('uq_chip_alias_alias_key'))
    )
    with op.batch_alter_table('chip_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chip_alias_chip_id'), ['chip_id'], unique=False)

    op.create_table('chip_metric',
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('tpp', sa.Float(), nullable=True),
    sa.Column('tpp_precision', sa.String(length=20), nullable=True),
    sa.Column('tpp_basis', sa.String(length=20), nullable=True),
    sa.Column('applicable_die_area_mm2', sa.Float(), nullable=True),
    sa.Column('performance_density', sa.Float(), nullable=True),
    sa.Column('bidirectional_io_gbps', sa.Float(), nullable=True),
    sa.Column('interconnect_gbps', sa.Float(), nullable=True),
    sa.Column('memory_bandwidth_gbps', sa.Float(), nullable=True),
    sa.Column('memory_capacity_gb', sa.Float(), nullable=True),
    sa.Column('memory_bandwidth_density', sa.Float(), nullable=True),
    sa.Column('transistors_billion', sa.Float(), nullable=True),
    sa.Column('logic_node_nm', sa.Float(), nullable=True),
    sa.Column('non_planar', sa.Boolean(), nullable=True),
    sa.Column('contains_hbm', sa.Boolean(), nullable=True),
    sa.Column('why_unknown', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_chip_metric_chip_id_chip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chip_id', name=op.f('pk_chip_metric'))
    )
    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('value_num', sa.Float(), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('preferred', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('derivation', sa.Text(), nullable=True),
    sa.Column('tier', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_claim_chip_id_chip'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_claim_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim'))
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_chip_id'), ['chip_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_source_id'), ['source_id'], unique=False)

    op.create_table('die',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=100), nullable=True),
    sa.Column('node_nm', sa.Float(), nullable=True),
    sa.Column('non_planar', sa.Boolean(), nullable=True),
    sa.Column('area_mm2', sa.Float(), nullable=True),
    sa.Column('transistors_billion', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_die_chip_id_chip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_die'))
    )
    with op.batch_alter_table('die', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_die_chip_id'), ['chip_id'], unique=False)

    op.create_table('io_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('bidirectional_gbps', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_io_link_chip_id_chip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_io_link'))
    )
    with op.batch_alter_table('io_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_io_link_chip_id'), ['chip_id'], unique=False)

    op.create_table('memory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=50), nullable=True),
    sa.Column('capacity_gb', sa.Float(), nullable=True),
    sa.Column('bandwidth_gbps', sa.Float(), nullable=True),
    sa.Column('stacks', sa.Integer(), nullable=True),
    sa.Column('package_area_mm2', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_memory_chip_id_chip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memory'))
    )
    with op.batch_alter_table('memory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memory_chip_id'), ['chip_id'], unique=False)

    op.create_table('throughput',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('precision', sa.String(length=20), nullable=False),
    sa.Column('bit_length', sa.Integer(), nullable=False),
    sa.Column('dense_tops', sa.Float(), nullable=True),
    sa.Column('sparse_tops', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_throughput_chip_id_chip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throughput')),
    sa.UniqueConstraint('chip_id', 'precision', name=op.f('uq_throughput_chip_id'))
    )
    with op.batch_alter_table('throughput', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throughput_chip_id'), ['chip_id'], unique=False)

    op.create_table('verdict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chip_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('determined', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('missing', sa.Text(), nullable=True),
    sa.Column('exceptions', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['chip_id'], ['chip.id'], name=op.f('fk_verdict_chip_id_chip'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['rule.id'], name=op.f('fk_verdict_rule_id_rule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verdict')),
    sa.UniqueConstraint('chip_id', 'rule_id', 'valid_from', name=op.f('uq_verdict_chip_id'))
    )
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_chip_id'), ['chip_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verdict_rule_id'), ['rule_id'], unique=False)

    op.create_table('margin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verdict_id', sa.Integer(), nullable=False),
    sa.Column('clause', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=200), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('margin', sa.Float(), nullable=True),
    sa.Column('margin_pct', sa.Float(), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['verdict_id'], ['verdict.id'], name=op.f('fk_margin_verdict_id_verdict'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_margin'))
    )
    with op.batch_alter_table('margin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_margin_verdict_id'), ['verdict_id'], unique=False)

    # ### end Alembic commands ###
    for _name, statement in VIEWS:
        op.execute(statement.strip())


def context_flag(name: str) -> bool:
    config = op.get_context().config
    return bool(config is not None and config.attributes.get(name))


def downgrade() -> None:
    for name, _statement in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('margin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_margin_verdict_id'))

    op.drop_table('margin')
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdict_rule_id'))
        batch_op.drop_index(batch_op.f('ix_verdict_chip_id'))

    op.drop_table('verdict')
    with op.batch_alter_table('throughput', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throughput_chip_id'))

    op.drop_table('throughput')
    with op.batch_alter_table('memory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memory_chip_id'))

    op.drop_table('memory')
    with op.batch_alter_table('io_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_io_link_chip_id'))

    op.drop_table('io_link')
    with op.batch_alter_table('die', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_die_chip_id'))

    op.drop_table('die')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_source_id'))
        batch_op.drop_index(batch_op.f('ix_claim_chip_id'))

    op.drop_table('claim')
    op.drop_table('chip_metric')
    with op.batch_alter_table('chip_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chip_alias_chip_id'))

    op.drop_table('chip_alias')
    with op.batch_alter_table('rule_threshold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_threshold_rule_id'))

    op.drop_table('rule_threshold')
    with op.batch_alter_table('chip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chip_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_chip_origin'))
        batch_op.drop_index(batch_op.f('ix_chip_family_key'))
        batch_op.drop_index(batch_op.f('ix_chip_family'))

    op.drop_table('chip')
    op.drop_table('vendor')
    # user_import is kept: it is the user's own data (see chipdb.store.models.UserImport);
    # `chipdb db downgrade base --drop-user-data` removes it.
    if context_flag("drop_user_data"):
        op.drop_table("user_import")
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_origin'))

    op.drop_table('source')
    with op.batch_alter_table('rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_origin'))

    op.drop_table('rule')
    op.drop_table('meta')
    # ### end Alembic commands ###
