"""The package's shape, checked from its source: layers, no import cycles, module size, docstrings.

Every ``import`` in chipdb/ is read with ``ast``, wherever it stands: at the top of a module,
inside a function (deferred: it still runs, just later), or under ``if TYPE_CHECKING:``
(type-only). All three count, for the layer rules and for cycles. A type-only import does not
run, but it still makes the lower module depend on the upper one's names: the two can no longer
be read, tested or moved apart, which is what the layers are for. The one exception is the root
package's *deferred* imports (see FACADE). docs/architecture.md explains the layers in prose.

A new package or module is one line in LAYERS. Known, in-progress violations are listed in
KNOWN_VIOLATIONS; everything else fails.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# -- the architecture as data -------------------------------------------------------------------

# Module names are relative to ``chipdb``. "x" is the module (or package __init__) x itself;
# "x.*" is x and everything below it. The most specific entry wins; a module that no entry
# matches fails test_every_module_has_a_layer, so a new module is placed deliberately.
LAYERS: dict[str, int] = {
    # 0: vocabulary and plain values, standard library only
    "": 0,  # the root package's own top-level code (its constants); see FACADE
    "errors": 0,
    "vocab": 0,
    "metricdefs": 0,
    "conventions": 0,
    "units": 0,
    "names": 0,
    "spec": 0,
    "periods": 0,
    "outcomes": 0,
    "safetext": 0,
    "files": 0,
    "layers": 0,
    # 1: computation, parsing, the light side of the store
    "metrics": 1,
    "engine.*": 1,
    "catalogue.*": 1,
    "policy.*": 1,
    "store": 1,
    "store.url": 1,
    "store.package_data": 1,
    "store.state": 1,
    "store.bundled": 1,
    "store.sql_views": 1,
    "store.dictionary": 1,
    "store.models": 1,
    "store.read.*": 1,
    # 2: the heavy write side, and the one hand-off to it
    "store.write.*": 2,
    "store.ready": 2,
    # 3: what commands ask of the library, and how results are drawn
    "service.*": 3,
    "render.*": 3,
    "plot.*": 3,
    # 4: the interfaces
    "cli.*": 4,
    "web.*": 4,
    "__main__": 4,
}

NONE: frozenset[str] = frozenset()

# Imports go downward or stay within a layer. On top of that, importer may not import
# imported: (importer, imported, why, the targets still allowed as deferred imports)
RULES: list[tuple[str, str, str, frozenset[str]]] = [
    ("store.read.*", "store.write.*", "the light read side never reaches the write side", NONE),
    ("store.read.*", "store.ready", "the light read side never reaches the write side", NONE),
    ("store.state", "store.write.*", "the read-only probe never reaches the write side", NONE),
    ("store.state", "store.ready", "the read-only probe never reaches the write side", NONE),
    ("store.bundled", "store.write.*", "installing the bundle is sqlite3 only", NONE),
    ("store.bundled", "store.ready", "installing the bundle is sqlite3 only", NONE),
    ("store.write.*", "store.ready", "the write side assumes a ready database", NONE),
    ("store.ready", "store.write.*", "ensure_ready hands off to migrations only, lazily",
     frozenset({"store.write.migrate"})),
    ("render.*", "store.*", "renderers take plain data", NONE),
    ("render.*", "service.*", "renderers take plain data", NONE),
    ("plot.*", "store.*", "plots take plain data", NONE),
    ("plot.*", "service.*", "plots take plain data", NONE),
    ("cli.*", "store.write.*", "the CLI goes through service", NONE),
    ("cli.*", "engine.*", "the CLI goes through service", NONE),
    ("cli.*", "catalogue.*", "the CLI goes through service", NONE),
    ("cli.*", "metrics", "the CLI goes through service", NONE),
    ("web.*", "store.write.*", "the web goes through service", NONE),
    ("web.*", "engine.*", "the web goes through service", NONE),
    ("web.*", "catalogue.*", "the web goes through service", NONE),
    ("web.*", "metrics", "the web goes through service", NONE),
]

# The root package (chipdb/__init__.py) runs before any chipdb module, so importing it from
# below can never start a cycle; its top-level code is layer 0. As the public facade it may
# reach every layer, but only from inside functions (a lazy __getattr__), after it has loaded.
FACADE = ""

MAX_NON_BLANK_LINES = 400

# Violations being removed right now by the splits of issue 12. Delete an entry when its fix
# merges; test_known_violations_are_still_real fails on an entry that no longer applies.
KNOWN_VIOLATIONS: set[str] = set()

# -- reading the imports --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent / "chipdb"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "top-level", "deferred" or "type-only"
    line: int

    def __str__(self) -> str:
        return f"{_show(self.source)} -> {_show(self.target)} ({self.kind}, line {self.line})"


def _show(module: str) -> str:
    return module or "chipdb"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
PACKAGES = {_module_name(p) for p in ROOT.rglob("__init__.py")}


def _local(dotted: str) -> str | None:
    """'chipdb.store.url' -> 'store.url'; None for anything outside chipdb."""
    if dotted == "chipdb":
        return ""
    return dotted[len("chipdb."):] if dotted.startswith("chipdb.") else None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The chipdb modules an import statement loads (a name imported from a package that is
    itself a submodule, as in ``from chipdb import plot``, is that submodule)."""
    if isinstance(node, ast.Import):
        found = [_local(alias.name) for alias in node.names]
        return [name for name in found if name is not None]
    if node.level:  # relative: resolve against the importing module's package
        package = module if module in PACKAGES else module.rpartition(".")[0]
        base_parts = package.split(".") if package else []
        base_parts = base_parts[:len(base_parts) - (node.level - 1)]
        base = ".".join(base_parts + ([node.module] if node.module else []))
    else:
        local = _local(node.module or "")
        if local is None:
            return []
        base = local
    names = []
    for alias in node.names:
        sub = f"{base}.{alias.name}" if base else alias.name
        names.append(sub if sub in MODULES else base)
    return list(dict.fromkeys(names))


def _edges(module: str, path: Path) -> list[Edge]:
    found: list[Edge] = []

    def visit(node: ast.AST, kind: str) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.extend(Edge(module, target, kind, node.lineno)
                         for target in _targets(node, module))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            kind = "deferred" if kind == "top-level" else kind
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                visit(statement, "type-only")
            for statement in node.orelse:
                visit(statement, kind)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, kind)

    visit(ast.parse(path.read_text(encoding="utf-8")), "top-level")
    return [edge for edge in found if edge.target != module]


EDGES: list[Edge] = [edge for name, path in MODULES.items() for edge in _edges(name, path)]


def _matches(pattern: str, module: str) -> bool:
    if pattern.endswith(".*"):
        stem = pattern[:-2]
        return module == stem or module.startswith(stem + ".")
    return module == pattern


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (specificity, layer)
    for pattern, layer in LAYERS.items():
        if _matches(pattern, module):
            specificity = len(pattern) * 2 + (0 if pattern.endswith(".*") else 1)
            if best is None or specificity > best[0]:
                best = (specificity, layer)
    return None if best is None else best[1]


def _exempt(edge: Edge) -> bool:
    return edge.source == FACADE and edge.kind == "deferred"


# -- what the architecture must look like ---------------------------------------------------------


def layer_violations() -> dict[str, list[str]]:
    """'rule: a -> b' -> the offending edges, for every broken layer or specific rule."""
    found: dict[str, list[str]] = {}
    for edge in EDGES:
        if _exempt(edge):
            continue
        low, high = layer_of(edge.target), layer_of(edge.source)
        if low is not None and high is not None and low > high:
            key = f"rule: {_show(edge.source)} -> {_show(edge.target)}"
            found.setdefault(key, []).append(f"{edge}: layer {high} imports layer {low}")
        for importer, imported, why, deferred_ok in RULES:
            if not (_matches(importer, edge.source) and _matches(imported, edge.target)):
                continue
            if edge.kind == "deferred" and edge.target in deferred_ok:
                continue
            key = f"rule: {_show(edge.source)} -> {_show(edge.target)}"
            found.setdefault(key, []).append(f"{edge}: {why}")
    return found


def cycle_violations() -> dict[str, list[Edge]]:
    """'cycle: a, b, ...' (every module of a strongly connected component of the import
    graph) -> one cycle through them, as its edges."""
    graph: dict[str, dict[str, Edge]] = {name: {} for name in MODULES}
    for edge in EDGES:
        if not _exempt(edge):
            graph.setdefault(edge.target, {})
            graph.setdefault(edge.source, {}).setdefault(edge.target, edge)
    # Tarjan's algorithm, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return {"cycle: " + ", ".join(_show(name) for name in component):
            _one_cycle(graph, set(component)) for component in components}


def _one_cycle(graph: dict[str, dict[str, Edge]], members: set[str]) -> list[Edge]:
    """A shortest path from the component's first module back to itself."""
    start = min(members)
    paths: dict[str, list[Edge]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target, edge in graph[node].items():
                if target == start:
                    return [*paths[node], edge]
                if target in members and target not in paths:
                    paths[target] = [*paths[node], edge]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a component of > 1 always has one


def non_blank_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def size_violations() -> dict[str, int]:
    return {f"size: {_show(name)}": count for name, path in MODULES.items()
            if (count := non_blank_lines(path)) > MAX_NON_BLANK_LINES}


def docstring_violations() -> list[str]:
    missing = []
    for name, path in MODULES.items():
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not docstring or not docstring.splitlines()[0].strip():
            missing.append(f"docstring: {_show(name)}")
    return missing


# -- the tests ------------------------------------------------------------------------------------


def test_the_import_graph_was_read() -> None:
    # guards against a parser that silently finds nothing, which would pass every test below
    assert len(MODULES) > 40 and len(EDGES) > 100
    kinds = {edge.kind for edge in EDGES}
    assert {"top-level", "deferred"} <= kinds
    assert any(str(e).startswith("store.ready -> store.write.migrate (deferred") for e in EDGES)


def test_every_module_has_a_layer() -> None:
    unplaced = [_show(name) for name in MODULES if layer_of(name) is None]
    assert not unplaced, f"add these to LAYERS in {Path(__file__).name}: {unplaced}"


def test_no_import_cycles() -> None:
    found = {key: cycle for key, cycle in cycle_violations().items()
             if key not in KNOWN_VIOLATIONS}
    report = "\n".join(f"{key}\n    " + "\n    ".join(map(str, cycle))
                       for key, cycle in found.items())
    assert not found, f"{len(found)} import cycle(s) inside chipdb:\n{report}"


def test_imports_follow_the_layers() -> None:
    found = {key: edges for key, edges in layer_violations().items()
             if key not in KNOWN_VIOLATIONS}
    report = "\n".join(line for edges in found.values() for line in edges)
    assert not found, f"imports that break the layers:\n{report}"


def test_modules_are_small() -> None:
    found = {key: n for key, n in size_violations().items() if key not in KNOWN_VIOLATIONS}
    assert not found, f"over {MAX_NON_BLANK_LINES} non-blank lines (split by job): {found}"


def test_every_module_says_its_job_in_its_first_line() -> None:
    assert docstring_violations() == []


def test_known_violations_are_still_real() -> None:
    current = (set(cycle_violations()) | set(layer_violations()) | set(size_violations())
               | set(docstring_violations()))
    stale = sorted(KNOWN_VIOLATIONS - current)
    assert not stale, f"fixed: delete from KNOWN_VIOLATIONS in {Path(__file__).name}: {stale}"


# -- the checks themselves can fail ---------------------------------------------------------------


THIS = sys.modules[__name__]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    text = (
        "from typing import TYPE_CHECKING\n"
        "import chipdb.errors\n"
        "from chipdb import plot, ENGINE_VERSION\n"
        "from chipdb.store.read import queries\n"
        "if TYPE_CHECKING:\n"
        "    from chipdb.service.results import ChipReport\n"
        "def later() -> None:\n"
        "    from chipdb.store.write.migrate import upgrade\n"
        "class Lazy:\n"
        "    def method(self) -> None:\n"
        "        from . import names\n"
    )
    assert [str(edge) for edge in _edges("units", _write(tmp_path / "probe.py", text))] == [
        "units -> errors (top-level, line 2)",
        "units -> plot (top-level, line 3)",
        "units -> chipdb (top-level, line 3)",
        "units -> store.read.queries (top-level, line 4)",
        "units -> service.results (type-only, line 6)",
        "units -> store.write.migrate (deferred, line 8)",
        "units -> names (deferred, line 11)",
    ]


def test_a_cycle_and_a_broken_layer_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = [Edge("store.read.queries", "store.write.migrate", "deferred", 7),
            Edge("store.write.migrate", "store.read.queries", "top-level", 3),
            Edge("render.json", "service.results", "type-only", 5),
            Edge("store.ready", "store.write.migrate", "deferred", 30),
            Edge("store.ready", "store.write.rebuild", "deferred", 31),
            Edge("", "service.session", "deferred", 9)]
    monkeypatch.setattr(THIS, "EDGES", fake)
    assert {key: [str(e) for e in cycle] for key, cycle in cycle_violations().items()} == {
        "cycle: store.read.queries, store.write.migrate": [
            "store.read.queries -> store.write.migrate (deferred, line 7)",
            "store.write.migrate -> store.read.queries (top-level, line 3)"]}
    assert sorted(layer_violations()) == [
        "rule: render.json -> service.results",
        "rule: store.read.queries -> store.write.migrate",
        "rule: store.ready -> store.write.rebuild",
    ]


def test_the_size_and_docstring_checks_can_fail(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    big = _write(tmp_path / "big.py",
                 '"""One job."""\n' + "x = 1\n\n" * (MAX_NON_BLANK_LINES + 1))
    silent = _write(tmp_path / "silent.py", "x = 1\n")
    monkeypatch.setattr(THIS, "MODULES", {"big": big, "silent": silent})
    assert size_violations() == {"size: big": MAX_NON_BLANK_LINES + 2}
    assert docstring_violations() == ["docstring: silent"]
