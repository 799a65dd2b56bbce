"""Imports flow one way: no import cycle anywhere in the extension, and the
publishing rooms never import a room or an entry above them.

A table walks through `publishing/gate/` (judged), `publishing/load/`
(loaded) and `publishing/files/` (served as files); `ingest` and `undo`
drive them, and the views, actions, CLI and plugin call those. So `files`
imports neither `load` nor `gate`, `load` does not import `gate`, and no
room imports `ingest`, `undo`, the `publishing` package itself, the views,
the actions (`logic`), the CLI, the plugin or `code` (whose rule 5.3 reads
the gate's verdict).

The graph is read with `ast` from the source, so every import counts:
absolute and relative, at the top of a module or inside a function (where
a cycle hides until the function runs). `from pkg import name` is an edge
to `pkg.name` when that is a module, else to `pkg`. A package's own
`__init__`, run implicitly before any of its modules, is not an edge.
"""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

PACKAGE = "ckanext.kg"
ROOT = Path(__file__).resolve().parents[1]  # ckanext/kg
PUBLISHING = f"{PACKAGE}.publishing"
# lowest first: a room may import itself and the rooms before it
ROOMS = ("files", "load", "gate")
# what only the callers of the rooms may import
ABOVE_ROOMS = (f"{PUBLISHING}.ingest", f"{PUBLISHING}.undo", f"{PACKAGE}.views",
               f"{PACKAGE}.logic", f"{PACKAGE}.cli", f"{PACKAGE}.plugin", f"{PACKAGE}.code")
# import cycles that cannot be broken, each with its reason: none
ALLOWED_CYCLES: dict[str, str] = {}


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module under `root` but the tests, by its dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] == "tests":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((package, *parts))] = path
    return found


def _base(module: str, path: Path, level: int) -> str:
    """The package a relative import of `level` dots in `module` starts from."""
    parts = module.split(".")
    if path.name != "__init__.py":
        parts = parts[:-1]
    return ".".join(parts[:len(parts) - (level - 1)])


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The extension's own modules that `module` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = _base(module, path, node.level)
                source = f"{base}.{source}" if source else base
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known
                       else source for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import a.b.c` names a.b.c
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    modules = module_names(root, package)
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """One shortest cycle through each strongly connected group of modules,
    from its first module by name: `a -> b -> a`."""
    found = []
    for group in _strongly_connected(graph):
        start = min(group)
        paths, queue = {start: [start]}, [start]
        while queue:
            current = queue.pop(0)
            for target in sorted(graph[current] & group):
                if target == start:
                    queue = []
                    found.append(" -> ".join([*paths[current], start]))
                    break
                if target not in paths:
                    paths[target] = [*paths[current], target]
                    queue.append(target)
    return sorted(found)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's groups of more than one module (a module never imports itself here)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def room_of(module: str, package: str = PACKAGE) -> str | None:
    for room in ROOMS:
        name = f"{package}.publishing.{room}"
        if module == name or module.startswith(name + "."):
            return room
    return None


def _within(module: str, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if module == n or module.startswith(n + ".")), None)


def layer_violations(graph: dict[str, set[str]], package: str = PACKAGE) -> list[str]:
    """Every import of a room that goes up: to a higher room, or to what
    calls the rooms."""
    above = tuple(name.replace(PACKAGE, package, 1) for name in ABOVE_ROOMS)
    publishing = f"{package}.publishing"
    found = []
    for module in sorted(graph):
        room = room_of(module, package)
        if room is None:
            continue
        for target in sorted(graph[module]):
            target_room = room_of(target, package)
            if target_room is not None and ROOMS.index(target_room) > ROOMS.index(room):
                found.append(f"{module} imports {target}: {room} must not import "
                             f"{target_room}")
            elif target == publishing or _within(target, above):
                found.append(f"{module} imports {target}: {room} must not import "
                             f"what calls the rooms")
    return found


def test_the_extension_has_no_import_cycle():
    found = [c for c in cycles(import_graph()) if c not in ALLOWED_CYCLES]
    assert found == []


def test_every_room_imports_only_itself_and_the_rooms_below():
    assert layer_violations(import_graph()) == []


def test_the_rooms_are_where_the_guard_looks():
    rooms = {room_of(m) for m in import_graph()} - {None}
    assert rooms == set(ROOMS)


@pytest.fixture
def synthetic(tmp_path):
    """A small extension with one cycle (through a function-level import)
    and imports that go up, in every form an import can take."""
    files = {
        "__init__.py": "",
        "code.py": "",
        "views.py": "from .publishing import ingest\n",
        "publishing/__init__.py": "",
        "publishing/ingest.py": "from .gate import jobs\n",
        "publishing/gate/__init__.py": "",
        "publishing/gate/jobs.py": "from ..load import swap\nimport ext.kg.code\n",
        "publishing/load/__init__.py": "",
        "publishing/load/swap.py": """
            from ext.kg.publishing.files import rows

            def swap():
                from ext.kg.publishing.gate.jobs import enqueue
            """,
        "publishing/files/__init__.py": "",
        "publishing/files/stored.py": "from .. import ingest\nfrom . import rows\n",
        "publishing/files/downloads.py": "import ext.kg.publishing\n",
        "publishing/files/rows.py": "",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return import_graph(tmp_path, "ext.kg")


def test_the_graph_reads_every_form_of_import(synthetic):
    assert synthetic["ext.kg.publishing.load.swap"] == {
        "ext.kg.publishing.files.rows", "ext.kg.publishing.gate.jobs"}
    assert synthetic["ext.kg.publishing.files.stored"] == {
        "ext.kg.publishing.ingest", "ext.kg.publishing.files.rows"}
    assert synthetic["ext.kg.publishing.gate.jobs"] == {
        "ext.kg.publishing.load.swap", "ext.kg.code"}


def test_an_injected_cycle_is_named(synthetic):
    assert cycles(synthetic) == [
        "ext.kg.publishing.gate.jobs -> ext.kg.publishing.load.swap"
        " -> ext.kg.publishing.gate.jobs",
    ]


def test_imports_that_go_up_are_named(synthetic):
    assert layer_violations(synthetic, "ext.kg") == [
        "ext.kg.publishing.files.downloads imports ext.kg.publishing: "
        "files must not import what calls the rooms",
        "ext.kg.publishing.files.stored imports ext.kg.publishing.ingest: "
        "files must not import what calls the rooms",
        "ext.kg.publishing.gate.jobs imports ext.kg.code: "
        "gate must not import what calls the rooms",
        "ext.kg.publishing.load.swap imports ext.kg.publishing.gate.jobs: "
        "load must not import gate",
    ]
