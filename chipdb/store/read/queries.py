"""Every SELECT the library runs, all over the documented views (and the chip tables for
a chip's structure): what the CLI shows is what a SQL user gets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from chipdb.store.read.connect import ReadConnection


def schema_revision(conn: ReadConnection) -> str | None:
    """The revision the reader's snapshot sees (None: no chipdb schema, or a damaged one)."""
    from chipdb.errors import DatabaseError

    try:
        rows = conn.rows("SELECT version_num FROM alembic_version")
    except DatabaseError:
        return None
    return str(rows[0]["version_num"]) if rows else None


def user_imports(conn: ReadConnection) -> list[dict[str, Any]]:
    """Every stored import (name, imported_at, content), oldest first."""
    return conn.rows("SELECT name, imported_at, content FROM user_import ORDER BY id")


def conventions(conn: ReadConnection) -> dict[str, float]:
    """The conventions the stored verdicts were computed under (meta 'conventions')."""
    import json

    rows = conn.rows("SELECT value FROM meta WHERE key = 'conventions'")
    loaded = json.loads(rows[0]["value"]) if rows else {}
    return {str(k): float(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def catalogue_facts(conn: ReadConnection) -> dict[str, Any]:
    """Which catalogue this is: the seed fingerprint of its last seeding, and the newest
    access date of any source it draws on (the date its data was last checked)."""
    found = conn.rows("SELECT value FROM meta WHERE key = 'seed_fingerprint'")
    newest = conn.rows("SELECT max(accessed) AS updated FROM source")
    updated = newest[0]["updated"] if newest else None
    return {"fingerprint": found[0]["value"] if found else None,
            "updated": updated.isoformat() if isinstance(updated, date) else updated}


def view_columns(conn: ReadConnection, views: Sequence[str]) -> dict[str, list[str]]:
    """Each view's columns in order, as the database reports them (an empty view too)."""
    return {view: list(conn.raw(f"SELECT * FROM {view} LIMIT 0")[0]) for view in views}


def catalogue_built(conn: ReadConnection) -> str | None:
    """The token the last rebuild wrote (meta 'catalogue_built'); None before its first one."""
    rows = conn.rows("SELECT value FROM meta WHERE key = 'catalogue_built'")
    return str(rows[0]["value"]) if rows else None


def name_index(conn: ReadConnection) -> list[dict[str, Any]]:
    return conn.rows("SELECT name_key, chip, kind FROM chip_names")


def families(conn: ReadConnection) -> list[dict[str, Any]]:
    # chip_metrics, not chip_specs: the same chips and families without chip_specs' GROUP BY
    # over throughput (0.4 ms instead of 5.5 ms, on every name lookup); the family default is
    # the chip a family name resolves to in chip_names
    return conn.rows(
        "SELECT m.chip, m.family, (m.chip IN (SELECT chip FROM chip_names "
        "WHERE kind = 'family')) AS family_default FROM chip_metrics m ORDER BY m.chip")


def chip_metrics(conn: ReadConnection, chips: Sequence[str] | None = None) -> list[dict[str, Any]]:
    if chips is None:
        return conn.rows("SELECT * FROM chip_metrics ORDER BY vendor, chip")
    return _in(conn, "SELECT * FROM chip_metrics WHERE chip IN ({names})", chips)


def chip_specs(conn: ReadConnection, chips: Sequence[str] | None = None) -> list[dict[str, Any]]:
    if chips is None:
        return conn.rows("SELECT * FROM chip_specs ORDER BY vendor, chip")
    return _in(conn, "SELECT * FROM chip_specs WHERE chip IN ({names})", chips)


def verdicts(
    conn: ReadConnection, chips: Sequence[str] | None, as_of: date | None,
    include_draft: bool = False,
) -> list[dict[str, Any]]:
    """Verdicts in force on ``as_of`` (all periods when None), in rule order; a draft rule's
    (a bill's) only with ``include_draft``."""
    where = ["1 = 1" if include_draft else "rule_status <> 'draft'"]
    params: dict[str, Any] = {}
    if as_of is not None:
        where.append("valid_from <= :as_of AND (valid_to IS NULL OR valid_to >= :as_of)")
        params["as_of"] = as_of.isoformat()
    sql = ("SELECT * FROM chip_verdict WHERE " + " AND ".join(where)
           + " {chips} ORDER BY effective, rule, chip, valid_from")
    if chips is None:
        return conn.rows(sql.format(chips=""), params)
    return _in(conn, sql.format(chips="AND chip IN ({names})"), chips, params)


def margins(
    conn: ReadConnection, chips: Sequence[str], as_of: date | None
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {}
    cond = ""
    if as_of is not None:
        cond = "AND valid_from <= :as_of AND (valid_to IS NULL OR valid_to >= :as_of)"
        params["as_of"] = as_of.isoformat()
    return _in(
        conn,
        f"SELECT * FROM chip_margin WHERE chip IN ({{names}}) {cond} "
        "ORDER BY chip, rule, valid_from, position",
        chips,
        params,
    )


def sources(conn: ReadConnection, chips: Sequence[str]) -> list[dict[str, Any]]:
    return _in(conn, "SELECT * FROM chip_sources WHERE chip IN ({names}) ORDER BY chip, field, "
                     "preferred DESC", chips)


def rules(conn: ReadConnection, rule_id: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT id AS rule, title, short_title, citation, url, published, effective, ended, "
           "status, layer, unverified, summary, wording, notes, origin FROM rule")
    if rule_id is None:
        return conn.rows(sql + " ORDER BY effective, id")
    return conn.rows(sql + " WHERE id = :rule", {"rule": rule_id})


def rule_thresholds(conn: ReadConnection, rule_id: str | None = None) -> list[dict[str, Any]]:
    if rule_id is None:
        return conn.rows("SELECT * FROM rule_thresholds ORDER BY effective, rule, position")
    return conn.rows("SELECT * FROM rule_thresholds WHERE rule = :rule ORDER BY position",
                     {"rule": rule_id})


def rule_definitions(conn: ReadConnection) -> list[dict[str, Any]]:
    return conn.rows("SELECT id, definition, origin FROM rule ORDER BY effective, id")


def chip_structure(conn: ReadConnection, chip: str) -> dict[str, list[dict[str, Any]]]:
    """A chip's dies, memories, I/O links and aliases, as stored."""
    return {
        "dies": conn.rows(
            "SELECT d.name, d.kind, d.count, d.process, d.node_nm, d.non_planar, d.area_mm2, "
            "d.transistors_billion FROM die d JOIN chip c ON c.id = d.chip_id "
            "WHERE c.name = :chip ORDER BY d.id", {"chip": chip}),
        "memory": conn.rows(
            "SELECT m.type, m.capacity_gb, m.bandwidth_gbps, m.stacks, m.package_area_mm2 "
            "FROM memory m JOIN chip c ON c.id = m.chip_id WHERE c.name = :chip ORDER BY m.id",
            {"chip": chip}),
        "io": conn.rows(
            "SELECT l.name, l.kind, l.bidirectional_gbps FROM io_link l JOIN chip c "
            "ON c.id = l.chip_id WHERE c.name = :chip ORDER BY l.id", {"chip": chip}),
        "aliases": conn.rows(
            "SELECT a.alias FROM chip_alias a JOIN chip c ON c.id = a.chip_id "
            "WHERE c.name = :chip ORDER BY a.alias", {"chip": chip}),
    }


def chip_parts(conn: ReadConnection, chip: str) -> dict[str, Any] | None:
    """A chip's head row and every part row, for rebuilding its spec (None: no such chip)."""
    head = conn.rows(
        "SELECT c.id, c.name, v.name AS vendor, c.family, c.datacenter, c.standalone_hbm, "
        "c.released, c.released_precision, c.announced "
        "FROM chip c JOIN vendor v ON v.id = c.vendor_id WHERE c.name = :chip", {"chip": chip})
    if not head:
        return None
    cid = {"id": head[0]["id"]}
    return {
        "head": head[0],
        "dies": conn.rows("SELECT * FROM die WHERE chip_id = :id ORDER BY id", cid),
        "memories": conn.rows("SELECT * FROM memory WHERE chip_id = :id ORDER BY id", cid),
        "io_links": conn.rows("SELECT * FROM io_link WHERE chip_id = :id ORDER BY id", cid),
        "throughputs": conn.rows("SELECT * FROM throughput WHERE chip_id = :id ORDER BY id",
                                 cid),
    }


def catalogue_counts(conn: ReadConnection) -> dict[str, list[dict[str, Any]]]:
    """The raw counts behind `chipdb db stats`: chips by status and release date (and how many
    of those dates are only an upper bound, "released by"), announcement date, and either
    (an announcement or a dated release, a bound alone not counting), sources and
    claims (all and preferred) by publisher class."""
    return {
        "chips": conn.rows(
            "SELECT status, COUNT(*) AS chips, "
            "SUM(CASE WHEN released IS NULL THEN 0 ELSE 1 END) AS released, "
            "SUM(CASE WHEN released_precision LIKE 'by-%' THEN 1 ELSE 0 END) AS released_by, "
            "SUM(CASE WHEN announced IS NULL THEN 0 ELSE 1 END) AS announced, "
            "SUM(CASE WHEN announced IS NOT NULL OR (released IS NOT NULL AND "
            "(released_precision IS NULL OR released_precision NOT LIKE 'by-%')) "
            "THEN 1 ELSE 0 END) AS dated "
            "FROM chip_specs GROUP BY status ORDER BY status"),
        "sources": conn.rows(
            "SELECT publisher_class, COUNT(*) AS sources FROM source "
            "GROUP BY publisher_class ORDER BY publisher_class"),
        "claims": conn.rows(
            "SELECT publisher_class, COUNT(*) AS claims, "
            "SUM(CASE WHEN preferred THEN 1 ELSE 0 END) AS preferred "
            "FROM chip_sources GROUP BY publisher_class ORDER BY publisher_class"),
    }


def destination_names(conn: ReadConnection) -> list[dict[str, Any]]:
    """Every spelling of every destination, and the country groups (kind 'group')."""
    return conn.rows("SELECT name_key, name, code, kind FROM destination_names")


def destinations(conn: ReadConnection) -> list[dict[str, Any]]:
    return conn.rows("SELECT code, name, common_name FROM destination ORDER BY code")


def group_members(conn: ReadConnection, group: str, as_of: date) -> list[str]:
    rows = conn.rows(
        "SELECT code FROM destination_groups WHERE country_group = :g AND "
        "(valid_from IS NULL OR valid_from <= :d) AND (valid_to IS NULL OR valid_to >= :d) "
        "ORDER BY code", {"g": group, "d": as_of.isoformat()})
    return [r["code"] for r in rows]


def classes_on(conn: ReadConnection, as_of: date) -> list[dict[str, Any]]:
    """Every destination and buyer-HQ class on ``as_of``, one row per member."""
    return conn.rows(
        "SELECT class_id, kind, label, code FROM destination_classes WHERE valid_from <= :d "
        "AND (valid_to IS NULL OR valid_to >= :d) ORDER BY class_id, code",
        {"d": as_of.isoformat()})


def class_signatures(conn: ReadConnection, codes: Sequence[str], as_of: date
                     ) -> list[dict[str, Any]]:
    """The classes (both kinds) holding these codes on ``as_of``, with the ids of the scopes
    that reach their members (``signature``, newline-separated)."""
    return _in(conn, "SELECT c.id AS class_id, c.kind, c.label, c.signature, m.code FROM "
                     "destination_class c JOIN destination_class_member m ON m.class_id = c.id "
                     "WHERE m.code IN ({names}) AND c.valid_from <= :d AND (c.valid_to IS NULL "
                     "OR c.valid_to >= :d) ORDER BY c.id", codes, {"d": as_of.isoformat()})


def scope_definitions(conn: ReadConnection) -> list[dict[str, Any]]:
    """Every stored scope's seed table (JSON), in seed order."""
    return conn.rows("SELECT id, definition FROM rule_scope ORDER BY id")


def classes_of(conn: ReadConnection, codes: Sequence[str]) -> list[dict[str, Any]]:
    """Every class (any period) holding one of these codes."""
    return _in(conn, "SELECT class_id, kind, code FROM destination_classes WHERE code IN "
                     "({names})", codes)


def chip_status(conn: ReadConnection, chips: Sequence[str], as_of: date
                ) -> list[dict[str, Any]]:
    """The stored bottom lines in force on ``as_of`` for these chips."""
    return _in(conn, "SELECT * FROM chip_status WHERE chip IN ({names}) AND valid_from <= :d "
                     "AND (valid_to IS NULL OR valid_to >= :d) ORDER BY chip, "
                     "destination_class_id, buyer_class_id", chips, {"d": as_of.isoformat()})


def chip_status_history(conn: ReadConnection, chip: str) -> list[dict[str, Any]]:
    return conn.rows("SELECT * FROM chip_status WHERE chip = :c ORDER BY valid_from, "
                     "destination_class_id, buyer_class_id", {"c": chip})


def layers(conn: ReadConnection) -> list[dict[str, Any]]:
    return conn.rows("SELECT id, position, role, title, meaning, rule_layers, scope_kinds "
                     "FROM rule_layer ORDER BY position")


def outcome_words(conn: ReadConnection) -> list[dict[str, Any]]:
    """Every outcome word the stored verdicts and the scopes use, with the layer that gives
    it (a rule's verdicts: the rule's layer; a scope: its layer)."""
    return conn.rows(
        "SELECT DISTINCT outcome, layer, 'verdict' AS origin FROM chip_verdict "
        "UNION SELECT DISTINCT outcome, layer, 'scope' FROM rule_scope "
        "ORDER BY outcome, layer")


def _in(
    conn: ReadConnection, sql: str, values: Sequence[str], params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """``IN (...)`` with one bound parameter per value: names never reach the SQL text."""
    bound = {f"n{i}": v for i, v in enumerate(values)}
    names = ", ".join(f":{k}" for k in bound) or "NULL"
    return conn.rows(sql.format(names=names), {**(params or {}), **bound})


def policy_events(conn: ReadConnection, since: date | None = None,
                  until: date | None = None) -> list[dict[str, Any]]:
    """The policy events between two days (inclusive; open ends when None), oldest first."""
    where, params = ["1 = 1"], {}
    if since is not None:
        where.append("day >= :since")
        params["since"] = since.isoformat()
    if until is not None:
        where.append("day <= :until")
        params["until"] = until.isoformat()
    return conn.rows("SELECT * FROM policy_events WHERE " + " AND ".join(where)
                     + " ORDER BY day, event", params)


def memberships(conn: ReadConnection) -> list[dict[str, Any]]:
    """Every dated Country Group membership, with its citation."""
    return conn.rows("SELECT * FROM destination_groups ORDER BY code, country_group, valid_from")


def all_chip_status(conn: ReadConnection) -> list[dict[str, Any]]:
    """Every stored bottom line (all chips, classes and periods), oldest first."""
    return conn.rows("SELECT chip, destination_class, buyer_hq_class, destination_class_id, "
                     "buyer_class_id, valid_from, valid_to, license_required, review_policy, "
                     "basis FROM chip_status ORDER BY chip, valid_from")
