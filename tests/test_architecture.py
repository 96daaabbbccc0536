"""The layering the project promises, checked: lower layers never import higher ones, and no cycles.

Every module of ``app``, ``model`` and ``training`` is read (subpackages included) and every import
counts: at the top, inside functions (the lazy ones) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "launcher", "model", "training")
FORBIDDEN = {"model": {"app", "training", "launcher"}, "training": {"app", "launcher"}}
# Parts of the app that must stand alone: what each may import of the app besides itself.
SELF_CONTAINED = {
    "app.boot": set(),  # runs before and around the first paint
    "app.text": set(),  # plain functions every part may use
    "app.widgets": {"app.text"},  # reusable widgets: no window, no controller, no other window
}
MAIN_WINDOW = "app.window.main_window"
ASSEMBLERS = {"app.window.assembly", "app.main"}  # the only modules that import the window at run time


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _module_name(path): path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, bool]]:
    """``(module imported, at run time?)`` for every import in ``path``, resolved to project modules.

    ``from a.b import c`` names the module ``a.b.c`` when it is one, else ``a.b``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                typing_only.update(id(n) for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        runtime = id(node) not in typing_only
        if isinstance(node, ast.Import):
            found.extend((alias.name, runtime) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.append((candidate if candidate in MODULES else node.module, runtime))
    return found


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_every_subpackage_is_read():
    assert {"app.boot.startup", "app.widgets.canvas", "app.window.assembly", "training.retrain"} <= set(GRAPH)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(package):
    offenders = {
        module: sorted({name.split(".")[0] for name, _ in imports} & FORBIDDEN[package])
        for module, imports in GRAPH.items()
        if _inside(module, package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("package", sorted(SELF_CONTAINED))
def test_boot_text_and_widgets_import_nothing_else_of_the_app(package):
    allowed = SELF_CONTAINED[package] | {package}
    offenders = {
        module: sorted(
            name
            for name, _ in imports
            if _inside(name, "app") and name != "app" and not any(_inside(name, a) for a in allowed)
        )
        for module, imports in GRAPH.items()
        if _inside(module, package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_assembly_imports_the_main_window_at_run_time():
    importers = {
        module for module, imports in GRAPH.items() if any(n == MAIN_WINDOW and rt for n, rt in imports)
    }
    assert importers <= ASSEMBLERS, importers - ASSEMBLERS


def test_no_controller_or_window_imports_the_main_window_even_for_type_hints():
    importers = {module for module, imports in GRAPH.items() if any(n == MAIN_WINDOW for n, _ in imports)}
    assert importers <= ASSEMBLERS, importers - ASSEMBLERS


def test_no_import_cycles_type_checking_and_lazy_imports_included():
    edges = {
        module: sorted({name for name, _ in imports if name in GRAPH and name != module})
        for module, imports in GRAPH.items()
    }
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in edges[module]:
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert cycles == []


def test_every_package_folder_is_installed():
    """``pip install .`` ships only the packages pyproject lists: each folder with an ``__init__``."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {_module_name(path) for package in PACKAGES for path in (REPO / package).rglob("__init__.py")}
    assert folders <= listed, sorted(folders - listed)
