"""Seed and import files → one validated Catalogue: read, parse, then the cross-file checks.

Reading and parsing turn the first pydantic error into a ``file: record: field: problem`` line.
The cross-file checks are the ones no single table can make: duplicate sources and rules, and
the names people type (chip names, aliases, family defaults), all under the one name rule
(``names.normalize_name``), so ``H100-SXM`` and ``h100 sxm`` are the same chip everywhere.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from chipdb.catalogue.chips import chip_record
from chipdb.catalogue.claims import check_convention, check_preferred_tiers
from chipdb.catalogue.quality import check_catalogue
from chipdb.catalogue.schema import RuleModel, SeedFileModel
from chipdb.engine import RuleDefinition, rule_from_mapping
from chipdb.errors import SeedError
from chipdb.names import normalize_name, same_chip
from chipdb.spec import ChipRecord, SourceRecord


@dataclass(frozen=True)
class Catalogue:
    """Everything parsed from a set of seed or import files, validated."""

    sources: tuple[SourceRecord, ...]
    chips: tuple[ChipRecord, ...]
    rules: tuple[RuleDefinition, ...]
    files: tuple[str, ...] = ()
    conventions: tuple[tuple[str, float], ...] = ()  # chosen in a [conventions] table


# --- reading and parsing ----------------------------------------------------------------------

# What a type error means, in the words of docs/seed-format.md; alternatives of a union are
# joined ("must be a number or a table").
_DATE = "a date like 2023-11-17"
_EXPECTED = {
    "int_type": "a number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "model_type": "a table", "dict_type": "a table", "model_attributes_type": "a table",
    "list_type": "an array", "date_type": _DATE, "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
}


def _walk(data: Any, error: Mapping[str, Any]) -> tuple[str | int, ...]:
    """The part of an error's location that exists in the file. pydantic also names each union
    member it tried (``ThroughputClaimModel``, ``list[...]``); those are not in the data."""
    path: list[str | int] = []
    node = data
    loc = list(error["loc"])
    for i, part in enumerate(loc):
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        in_table = isinstance(node, dict) and part in node
        if in_list or in_table:
            node = node[part]
        elif isinstance(node, dict) and i == len(loc) - 1 and error["type"] == "missing":
            node = None
        else:
            continue
        path.append(part)
    return tuple(path)


def _problem(errors: Sequence[Mapping[str, Any]]) -> str:
    ours = [e for e in errors if e["type"] == "value_error" and "error" in e.get("ctx", {})]
    if ours and errors[0]["type"] != "extra_forbidden":
        return str(ours[0]["ctx"]["error"])  # our own words beat another union member's type
    first = errors[0]
    if first["type"] == "extra_forbidden":
        return "is not a known field (see docs/seed-format.md)"
    if first["type"] == "missing":
        return "is required"
    if first["type"] == "value_error" and "error" in first.get("ctx", {}):
        return str(first["ctx"]["error"])  # our own words, without pydantic's "Value error, "
    if all(e["type"] in _EXPECTED for e in errors):
        return "must be " + " or ".join(dict.fromkeys(_EXPECTED[e["type"]] for e in errors))
    return str(first["msg"])


def _pydantic_message(file: str, err: ValidationError, data: Mapping[str, Any]) -> SeedError:
    """The first validation error, phrased as file / record / field.

    Of the alternatives pydantic reports for the same value (one per union member), the one
    that reached deepest into the value is the one that explains it."""
    errors = err.errors()
    paths = [_walk(data, e) for e in errors]
    first = paths[0]
    same_value = [i for i, p in enumerate(paths) if p[:len(first)] == first]
    deepest = max(len(paths[i]) for i in same_value)
    chosen = [i for i in same_value if len(paths[i]) == deepest]
    path = list(paths[chosen[0]])
    record = "file"
    if len(path) >= 2 and path[0] in ("chip", "source", "rule") and isinstance(path[1], int):
        table, index = path[0], path[1]
        item = data[table][index]
        name = None
        if isinstance(item, dict):
            name = item.get("name") or item.get("key") or item.get("id") or item.get("extends")
        record = f"{table} '{name}'" if isinstance(name, str) and name else f"{table} #{index + 1}"
        path = path[2:]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return SeedError(file, record, field or "-", _problem([errors[i] for i in chosen]))


def parse_text(text: str, file: str) -> SeedFileModel:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(file, "file", "-", f"is not valid TOML: {exc}") from None
    try:
        return SeedFileModel.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_message(file, exc, data) from None


def read_file(path: Path) -> SeedFileModel:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(str(path), "file", "-", f"cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SeedError(str(path), "file", "-", "is not UTF-8 text") from None
    return parse_text(text, str(path))


def load_paths(paths: Sequence[Path]) -> list[tuple[str, SeedFileModel]]:
    return [(str(p), read_file(p)) for p in paths]


# Folders under seeds/ that are not chip or rule files: each has its own loader
# (destinations: catalogue.destinations; events: its own loader), so the chip/rule parser
# never sees them.
NOT_CHIP_OR_RULE_FOLDERS = ("destinations", "events")


def seed_files(root: Path) -> list[Path]:
    """The chip and rule files under ``root`` (every *.toml but the folders with their own
    loaders)."""
    found = []
    for p in root.rglob("*.toml"):
        parts = p.relative_to(root).parts
        if p.is_file() and parts[0] not in NOT_CHIP_OR_RULE_FOLDERS:
            found.append(p)
    return sorted(found)


# --- names: what a typed name resolves to ----------------------------------------------------


@dataclass(frozen=True)
class NameUse:
    """One key a chip can be reached by: its name, an alias, or its family (as the default)."""

    chip: str
    kind: Literal["name", "alias", "family"]
    written: str
    file: str

    @property
    def field(self) -> str:
        return {"name": "name", "alias": "aliases", "family": "default"}[self.kind]

    @property
    def subject(self) -> str:
        return f"family '{self.written}'" if self.kind == "family" else f"'{self.written}'"

    def reaches(self, where: str | None = None) -> str:
        """What this key already is: 'the name of the bundled chip 'H100 SXM'', ..."""
        owner = f"the {where} chip '{self.chip}'" if where else f"chip '{self.chip}'"
        if self.kind == "name":
            return f"the name of {owner}"
        if self.kind == "alias":
            return f"an alias of {owner}"
        family = f"the {where} family" if where else "family"
        return f"{family} '{self.written}' (default '{self.chip}')"


def name_uses(chips: Iterable[ChipRecord]) -> Iterator[tuple[str, NameUse]]:
    """Every key each chip takes, names first (a name always outranks an alias or a family)."""
    chips = list(chips)
    for chip in chips:
        yield normalize_name(chip.spec.name), NameUse(chip.spec.name, "name", chip.spec.name,
                                                      chip.source_file or "-")
    for chip in chips:
        for alias in chip.aliases:
            yield normalize_name(alias), NameUse(chip.spec.name, "alias", alias,
                                                 chip.source_file or "-")
        if chip.family_default:
            yield normalize_name(chip.family), NameUse(chip.spec.name, "family", chip.family,
                                                       chip.source_file or "-")


def _check_names(chips: Sequence[ChipRecord]) -> None:
    """No key reaches two chips: each name, alias and family default belongs to one chip."""
    owner: dict[str, NameUse] = {}
    for key, use in name_uses(chips):
        old = owner.setdefault(key, use)
        if same_chip(old.chip, use.chip):
            continue
        record = f"chip '{use.chip}'"
        if use.kind == old.kind == "family":
            raise SeedError(use.file, record, "default",
                            f"family '{use.written}' already defaults to '{old.chip}'")
        raise SeedError(use.file, record, use.field, f"{use.subject} is already {old.reaches()}")


def check_import(new: Catalogue, bundled: Catalogue, imported: Sequence[Catalogue] = ()) -> None:
    """What a user import may not take, or it would silently replace it: a key that already
    reaches a chip (a bundled name, alias or family, or another import's), or the id of another
    import's rule. (Replacing a bundled rule by its id is how a user overrides one.)"""
    taken = {key: (use, "bundled") for key, use in name_uses(bundled.chips)}
    for other in imported:
        taken.update({key: (use, "imported") for key, use in name_uses(other.chips)})
    for key, use in name_uses(new.chips):
        if key not in taken:
            continue
        old, where = taken[key]
        problem = f"{use.subject} is already {old.reaches(where)}: choose another name"
        if where == "imported":
            problem += f" (or replace the import {old.file})"
        elif use.kind == old.kind == "name":
            problem += " (or try a variant with `chipdb what-if`)"
        raise SeedError(use.file, f"chip '{use.chip}'", use.field, problem)
    for other in imported:
        clash = sorted({r.id for r in new.rules} & {r.id for r in other.rules})
        if clash:
            raise SeedError(", ".join(new.files) or "-", f"rule '{clash[0]}'", "id",
                            f"is already defined by the import {', '.join(other.files)}: "
                            "replace that import, or give this rule its own id")


# --- rules: pydantic checked the shape; the engine's parser gives them meaning ----------------


def _rule_error(file: str, rule: RuleModel, exc: Exception) -> SeedError:
    field, problem = getattr(exc, "field", None), getattr(exc, "problem", None)
    if isinstance(field, str) and isinstance(problem, str):
        return SeedError(file, rule.label, field, problem)
    # Until the engine's errors carry their field, its messages read "field: problem".
    field, found, problem = str(exc).partition(": ")
    return SeedError(file, rule.label, field if found else "-", problem if found else field)


def _rules(files: Sequence[tuple[str, SeedFileModel]], known: Mapping[str, RuleDefinition],
           origin: str) -> tuple[RuleDefinition, ...]:
    rules: dict[str, RuleDefinition] = dict(known)
    parsed: list[RuleDefinition] = []
    for file, model in files:
        for table in model.rule:
            try:
                rule = rule_from_mapping(table.mapping, rules, origin=origin)
            except (ValueError, SeedError) as exc:
                raise _rule_error(file, table, exc) from None
            if any(r.id == rule.id for r in parsed):
                raise SeedError(file, table.label, "id", "is defined twice")
            rules[rule.id] = rule
            parsed.append(rule)
    return tuple(parsed)


# --- the catalogue ----------------------------------------------------------------------------


def build_catalogue(
    files: Sequence[tuple[str, SeedFileModel]],
    known_sources: Iterable[str] | Mapping[str, SourceRecord] = (),
    known_rules: Mapping[str, RuleDefinition] | None = None,
    origin: str = "seed",
) -> Catalogue:
    """Validate the cross-file constraints and build plain records; raise on the first error.

    ``known_sources`` are the keys a file may cite without defining them (the bundled ones, for
    an import); given as records, their publisher classes take part in the quality checks."""
    cited = set(known_sources)
    known_classes = ({k: s.publisher_class for k, s in known_sources.items()}
                     if isinstance(known_sources, Mapping) else {})
    sources: dict[str, SourceRecord] = {}
    defined_in: list[tuple[str, SourceRecord]] = []
    for file, model in files:
        for s in model.source:
            if s.key in sources:
                raise SeedError(file, f"source '{s.key}'", "key", "is defined twice")
            if s.key in cited:
                raise SeedError(file, f"source '{s.key}'", "key",
                                "is already defined (bundled or by another import): "
                                "cite it by its key without a [[source]] table")
            sources[s.key] = SourceRecord(
                key=s.key, url=s.url, title=s.title, publisher=s.publisher, tier=s.tier,
                accessed=s.accessed, note=s.note, origin=origin,
                publisher_class=s.publisher_class, names=tuple(s.names),
            )
            defined_in.append((file, sources[s.key]))
    source_keys = cited | set(sources)
    chips: dict[str, ChipRecord] = {}
    for file, model in files:
        for c in model.chip:
            key = normalize_name(c.name)
            if key in chips:  # reported before the chip's own fields are checked
                raise SeedError(file, f"chip '{c.name}'", "name",
                                f"duplicates chip '{chips[key].spec.name}'")
            chips[key] = chip_record(file, c, source_keys, origin)
            weaker = check_preferred_tiers(chips[key].claims, lambda claim: claim.tier or (
                sources[claim.source].tier if claim.source in sources else None))
            if weaker is not None:
                raise SeedError(file, f"chip '{c.name}'", *weaker)
    _check_names(list(chips.values()))
    check_catalogue(defined_in, list(chips.values()), known_classes, origin)
    rules = _rules(files, known_rules or {}, origin)
    chosen: dict[str, float] = {}
    for file, model in files:
        for name, value in model.conventions.items():
            problem = check_convention(name, float(value))
            if problem:
                raise SeedError(file, "conventions", name, problem)
            chosen[name] = float(value)
    return Catalogue(tuple(sources.values()), tuple(chips.values()), rules,
                     tuple(file for file, _ in files), tuple(chosen.items()))
