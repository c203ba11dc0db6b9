# The shape of the package, as a reader meets it: every folder says what belongs in it, no module
# imports itself back through others (no import cycle), no class name is defined twice (one
# vocabulary: the shell carries the core's records and events, it does not mirror them), and the
# README's tree is the tree on disk.
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where each installed package lives in the repository (pyproject's package-dir).
PACKAGE_DIRS = {"backable": ROOT / "src" / "backable", "backable.core": ROOT / "core",
                "backable.shell": ROOT / "shell"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _imports(module: str) -> set[str]:
    """The project modules `module` imports at any depth of its code (lazy imports count)."""
    path = MODULES[module]
    package = module if _is_package(module) else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from pkg import name` imports pkg.name when that is a module, else pkg itself.
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in MODULES else stem
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module:
                out.add(target)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    # Tarjan's strongly connected components; a component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
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
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def _graph() -> dict[str, set[str]]:
    return {module: _imports(module) for module in MODULES}


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    # Guard against a checker that passes everything.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_import_reader_resolves_relative_and_absolute_imports() -> None:
    imports = _imports("backable.core.provisioner.assemble")
    assert "backable.core.records.inherent" in imports
    assert "backable.core.provisioner.bitfield_selection" in imports
    assert "backable.shell.node" in _imports("backable.shell")


def test_core_never_imports_the_shell() -> None:
    graph = _graph()
    bad = {m: sorted(t for t in graph[m] if t.startswith("backable.shell"))
           for m in MODULES if m.startswith("backable.core")}
    assert {m: t for m, t in bad.items() if t} == {}


def test_no_class_name_is_defined_twice() -> None:
    # One vocabulary: a concept has one class, and the shell carries the core's events instead of
    # mirroring them, so no name needs renaming on import. Tests and benches are held to it too.
    where: dict[str, list[str]] = defaultdict(list)
    for folder in ("core", "shell", "src", "tests", "properties", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ClassDef):
                    where[node.name].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    twice = {name: places for name, places in where.items() if len(places) > 1}
    assert twice == {}


def test_every_folder_opens_with_a_docstring_saying_what_belongs_there() -> None:
    missing = [module for module, path in MODULES.items()
               if _is_package(module) and not ast.get_docstring(ast.parse(path.read_text()))]
    assert missing == []


def test_the_readme_tree_is_the_tree_on_disk() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- layout -->", 1)[1].split("<!-- /layout -->", 1)[0]
    shown: set[str] = set()
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        match = re.match(r"^( *)([\w.]+/?)(?:\s|$)", line)
        if not match or line.startswith("```"):
            continue
        depth, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        path = "/".join([p for _, p in stack] + [name.rstrip("/")])
        shown.add(path)
        if name.endswith("/"):
            stack.append((depth, name.rstrip("/")))
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for top in ("core", "shell", "src")
        for p in [ROOT / top, *(ROOT / top).rglob("*")]
        if (p.is_dir() and p.name != "__pycache__" and p.name != "data")
        or (p.suffix == ".py" and p.name != "__init__.py")
    }
    assert sorted(on_disk - shown) == [], "on disk, missing from the README's tree"
    assert sorted(shown - on_disk) == [], "in the README's tree, not on disk"


def test_everything_imports_through_the_backable_name() -> None:
    # Installed, there is no top-level `core` or `shell`: an `import core` would find a user's
    # own folder of that name, or nothing.
    bad = []
    for folder in ("core", "shell", "src", "tests", "properties", "bench", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                bad += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names
                        if name.split(".")[0] in ("core", "shell")]
    assert bad == []
