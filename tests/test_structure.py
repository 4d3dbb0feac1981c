"""The package's floor plan: every module imports alone, and no import circle exists.

The import graph is read from the source (``ast``): module-level and function-level imports of
``ewkg`` modules count, those under ``if TYPE_CHECKING:`` do not (they never run), nor does a
module's import of its own package (always initialised first).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ewkg

PACKAGE = Path(ewkg.__file__).parent


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``ewkg.cli.commands.serve``…)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports when it runs (``TYPE_CHECKING`` blocks left out)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name in known)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                    target = f"{base}.{child.module}" if child.module else base
                else:
                    target = child.module or ""
                submodules = {f"{target}.{a.name}" for a in child.names} & known
                found.update(submodules)  # ``from . import formats``
                if target in known and len(submodules) < len(child.names):
                    found.add(target)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    # A package is initialised before any of its modules: importing it back is no circle.
    return {m for m in found if m != name and not name.startswith(m + ".")}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_lazy_imports_and_skips_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from .b import X\n"
        "def f():\n    from .c import Y\n    from . import d\n",
        encoding="utf-8",
    )
    known = {"p.m", "p.b", "p.c", "p.d"}
    assert imports_of("p.m", source, known) == {"p.c", "p.d"}


def test_no_import_circle() -> None:
    assert cycles(import_graph()) == []


def _import_alone(name: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True,
                          text=True, timeout=600)
    return name, done.stderr.strip().splitlines()[-1] if done.returncode else ""


def test_each_module_imports_alone_in_a_fresh_interpreter() -> None:
    names = [n for n in modules() if not n.endswith("__main__")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = {name: error for name, error in pool.map(_import_alone, names) if error}
    assert failures == {}


#: The packages from the bottom up; a module imports modules of its own layer or lower ones.
#: ``ewkg`` itself holds the basics (settings, shipped files, the cache policy).
LAYERS = ("ewkg", "ewkg.rdf", "ewkg.query", "ewkg.store", "ewkg.validation", "ewkg.web", "ewkg.cli")


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of the package a module belongs to."""
    for index in range(len(LAYERS) - 1, -1, -1):
        if module == LAYERS[index] or module.startswith(LAYERS[index] + "."):
            return index
    raise AssertionError(f"{module} is in no layer")


def test_every_module_sits_in_a_layer_package() -> None:
    """Only the basics live at the package's top; everything else is in a layer's package."""
    top = {n for n in modules() if n.count(".") == 1}
    packages = {p for p in LAYERS if p != "ewkg"}
    basics = {"ewkg.__main__", "ewkg.budget", "ewkg.config", "ewkg.lru", "ewkg.strings",
              "ewkg.resources"}
    assert top - packages - basics == set()


def test_no_module_imports_a_higher_layer() -> None:
    upward = sorted(
        f"{name} → {target}"
        for name, targets in import_graph().items()
        for target in targets
        if name not in ("ewkg", "ewkg.__main__") and layer_of(target) > layer_of(name)
    )
    assert upward == []


def test_the_layer_check_sees_an_arrow_up() -> None:
    assert layer_of("ewkg.rdf.formats") < layer_of("ewkg.web.app")
    assert layer_of("ewkg.config") == 0 and layer_of("ewkg.cli.commands.serve") == 6
