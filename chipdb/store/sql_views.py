"""The SQL views at head: the public API for SQL users and the CLI's read path.

One definition serves SQLite and PostgreSQL: the statements use only portable SQL, so the same
names and columns exist on both engines. ``create_fresh`` (a first run) creates them from
``VIEWS``. Migrations never read this module: each carries the exact DDL text it executes, so a
change here needs a new migration that drops and recreates the view with the new text
(docs/architecture.md, "Add or change a view"); tests/store/test_fresh_schema.py fails without one.
"""

from __future__ import annotations

from chipdb.vocab import PRECISION_BITS


def _throughput_columns() -> str:
    cols = []
    for precision in PRECISION_BITS:
        for kind in ("dense", "sparse"):
            cols.append(
                f"MAX(CASE WHEN t.precision = '{precision}' THEN t.{kind}_tops END) "
                f"AS {precision}_{kind}_tops"
            )
    return ",\n       ".join(cols)


# name -> SELECT body. Order matters: later views may read earlier ones.
VIEWS: dict[str, str] = {
    "chip_specs": f"""
SELECT c.name AS chip, v.name AS vendor, c.family, c.variant, c.family_default,
       c.form_factor, c.market, c.region, c.architecture, c.announced, c.released,
       c.announced_precision, c.released_precision, c.status,
       c.datacenter, c.standalone_hbm, c.tdp_w,
       (SELECT MIN(m.type) FROM memory m WHERE m.chip_id = c.id) AS memory_type,
       cm.memory_capacity_gb, cm.memory_bandwidth_gbps,
       (SELECT MIN(d.process) FROM die d WHERE d.chip_id = c.id AND d.kind = 'logic')
           AS process,
       cm.logic_node_nm, cm.transistors_billion,
       {_throughput_columns()},
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
""",
    "chip_metrics": """
SELECT c.name AS chip, v.name AS vendor, c.family, c.market, c.region,
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
""",
    "chip_verdict": """
SELECT c.name AS chip, v.name AS vendor, r.id AS rule, r.short_title AS rule_title,
       r.citation, r.layer, r.status AS rule_status, r.unverified AS rule_unverified,
       r.effective, r.ended, vd.valid_from, vd.valid_to,
       vd.outcome, vd.determined, vd.reason, vd.missing, vd.exceptions, c.origin,
       vd.possible_outcomes, vd.confidence, vd.confidence_unverified, vd.conventions,
       vd.deciding
FROM verdict vd
JOIN chip c ON c.id = vd.chip_id
JOIN vendor v ON v.id = c.vendor_id
JOIN rule r ON r.id = vd.rule_id
""",
    "chip_margin": """
SELECT c.name AS chip, vd.rule_id AS rule, vd.valid_from, vd.valid_to, vd.outcome,
       mg.clause, mg.metric, mg.op, mg.threshold, mg.value, mg.margin, mg.margin_pct,
       mg.met, mg.position
FROM margin mg
JOIN verdict vd ON vd.id = mg.verdict_id
JOIN chip c ON c.id = vd.chip_id
""",
    "chip_sources": """
SELECT c.name AS chip, cl.field, cl.value_num, cl.value_text, cl.preferred, cl.reason,
       cl.note, cl.derivation, COALESCE(cl.tier, s.tier) AS tier, s.key AS source,
       s.url, s.title, s.publisher, s.accessed, s.publisher_class, cl.value_low,
       cl.value_high
FROM claim cl
JOIN chip c ON c.id = cl.chip_id
JOIN source s ON s.id = cl.source_id
""",
    "rule_thresholds": """
SELECT r.id AS rule, r.short_title AS title, r.citation, r.effective, r.ended, r.status,
       r.layer, r.unverified, rt.clause, rt.metric, rt.op, rt.threshold, rt.parameter,
       rt.position
FROM rule_threshold rt
JOIN rule r ON r.id = rt.rule_id
""",
    "chip_names": """
SELECT c.name_key AS name_key, c.name AS chip, 'name' AS kind FROM chip c
UNION ALL
SELECT a.alias_key, c.name, 'alias' FROM chip_alias a JOIN chip c ON c.id = a.chip_id
UNION ALL
SELECT c.family_key, c.name, 'family' FROM chip c WHERE c.family_default = TRUE
""",
    "destination_names": """
SELECT n.name_key, n.name, n.code, n.kind FROM destination_name n
UNION ALL
SELECT LOWER(g.id), g.id, NULL, 'group' FROM country_group g
""",
    "destination_groups": """
SELECT d.code, d.name, gm.group_id AS country_group, gm.valid_from, gm.valid_to,
       gm.unverified, gm.note, g.citation
FROM group_membership gm
JOIN destination d ON d.code = gm.code
JOIN country_group g ON g.id = gm.group_id
""",
    "destination_classes": """
SELECT dc.id AS class_id, dc.kind, dc.label, dc.valid_from, dc.valid_to, m.code, d.name
FROM destination_class dc
JOIN destination_class_member m ON m.class_id = dc.id
JOIN destination d ON d.code = m.code
""",
    "chip_status": """
SELECT c.name AS chip, dc.label AS destination_class, bc.label AS buyer_hq_class,
       bl.destination_class_id, bl.buyer_class_id, bl.valid_from, bl.valid_to,
       bl.license_required, bl.exceptions, bl.review_policy, bl.measures, bl.basis,
       bl.binding_rule, bl.binding_clause, bl.binding_metric, bl.binding_value,
       bl.binding_threshold, bl.binding_margin_pct, bl.confidence, bl.unverified, bl.since,
       c.origin
FROM bottom_line bl
JOIN chip c ON c.id = bl.chip_id
JOIN destination_class dc ON dc.id = bl.destination_class_id
JOIN destination_class bc ON bc.id = bl.buyer_class_id
""",
    "policy_events": """
SELECT e.id AS event, e.day, e.date_precision, e.title, e.jurisdiction, e.kind, e.chips,
       e.vendors, e.evidence, e.rule_id AS rule, r.status AS rule_status, e.sources,
       e.summary, e.unverified, e.missing
FROM policy_event e
LEFT JOIN rule r ON r.id = e.rule_id
""",
}

VIEW_NAMES: tuple[str, ...] = tuple(VIEWS)


def create_statements() -> list[str]:
    return [f"CREATE VIEW {name} AS {body.strip()}" for name, body in VIEWS.items()]


def drop_statements() -> list[str]:
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEWS)]
