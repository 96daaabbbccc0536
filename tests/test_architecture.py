"""The layering the project promises, checked: lower layers never import higher ones, and no cycles.

Every module of ``app``, ``model`` and ``training`` is read (subpackages included) and every import
counts: at the top, inside functions (the lazy ones) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "model", "training")
FORBIDDEN = {"model": {"app", "training"}, "training": {"app"}}
LAUNCHER = "app.launcher"  # the digit-canvas command: no numpy, no Qt until it hands over to the app
PREPARE = "app.boot.session"  # prepare(): numpy before Qt, then Qt's refcount guard, once per process
# Parts of the app that must stand alone: what each may import of the app besides itself.
SELF_CONTAINED = {
    "app.boot": set(),  # runs before and around the first paint
    "app.text": set(),  # plain functions every part may use
    "app.widgets": {"app.text", PREPARE},  # reusable widgets: no window, no controller, no other window
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


# The developers' guide: these top-level folders and no others (files such as requirements.lock aside).
TOP_LEVEL_FOLDERS = {"app", "model", "training", "assets", "tests", "benchmarks"}


def test_the_top_level_folders_are_the_fixed_ones():
    git = shutil.which("git")
    listed = git and subprocess.run([git, "ls-files"], cwd=REPO, capture_output=True, text=True)
    if not listed or listed.returncode != 0:
        pytest.skip("not a git checkout: which files are the project's is git's to say")
    folders = {Path(name).parts[0] for name in listed.stdout.splitlines() if len(Path(name).parts) > 1}
    assert {f for f in folders if not f.startswith(".")} <= TOP_LEVEL_FOLDERS


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


# ------------------------------------------------------------------------------ prepare() before Qt


def _body(path: Path) -> list[ast.stmt]:
    """The module's statements after its docstring and ``from __future__`` imports."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    while body and (
        (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant))
        or (isinstance(body[0], ast.ImportFrom) and body[0].module == "__future__")
    ):
        body = body[1:]
    return body


def _is_prepare_import(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.ImportFrom)
        and node.module == PREPARE
        and [alias.name for alias in node.names] == ["prepare"]
    )


def _is_prepare_call(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "prepare"
        and not node.value.args
    )


PLOTTING = "app.widgets.plotting"  # the one module that imports pyqtgraph, when the first plot is made


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when ``path`` is imported: at its top, not inside a function or class."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_pyqtgraph_is_imported_by_plotting_alone_and_only_when_a_plot_is_made():
    """It takes a few hundred milliseconds to import: never at start-up, never by importing a module."""
    importers = {
        module for module, imports in GRAPH.items() if any(_inside(name, "pyqtgraph") for name, _ in imports)
    }
    assert importers == {PLOTTING}
    assert not any(_inside(name, "pyqtgraph") for name in _top_level_imports(MODULES[PLOTTING]))


def _imports_qt(module: str) -> bool:
    """Whether ``module`` imports PySide6 at run time (at the top, or lazily inside a function)."""
    return any(_inside(name, "PySide6") and runtime for name, runtime in GRAPH[module])


def _qt_subpackages() -> set[str]:
    subpackages = {_module_name(path.parent) for path in (REPO / "app").glob("*/__init__.py")}
    return {
        package
        for package in subpackages - {"app.boot"}  # prepare() lives there and imports its modules
        if any(_imports_qt(module) for module in GRAPH if _inside(module, package))
    }


def test_the_app_package_and_boot_import_nothing_when_imported():
    """``import app`` (and the start-up package) load no numpy and no Qt: the command answers without."""
    for package in ("app", "app.boot", LAUNCHER):
        assert _body(MODULES[package]) == [], f"{package}/__init__.py must hold its docstring only"


def test_every_qt_subpackage_of_the_app_calls_prepare_before_anything_else():
    """Importing any Qt part of the app installs the refcount guard first, numpy imported before Qt."""
    checked = _qt_subpackages()
    assert {"app.widgets", "app.window", "app.retrain", "app.testing", "app.workers"} <= checked
    assert "app.text" not in checked  # plain functions: no Qt, so no prepare() either
    for package in sorted(checked):
        body = _body(MODULES[package])
        assert len(body) >= 2 and _is_prepare_import(body[0]) and _is_prepare_call(body[1]), (
            f"{package}/__init__.py must begin with: from {PREPARE} import prepare; prepare()"
        )


def _imports_qt_or_the_app(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module:
        names = [node.module]
    else:
        return False
    return any(_inside(name, "PySide6") or (_inside(name, "app") and name != PREPARE) for name in names)


def test_the_apps_qt_modules_outside_those_packages_call_prepare_before_qt():
    """``app.main``, ``python -m app`` and the start-up modules that use Qt prepare before their first
    Qt import; only the guard itself (``qt_compat``, which ``prepare()`` imports) does not."""
    loose = {
        _module_name(path)
        for folder in (REPO / "app", REPO / "app" / "boot")
        for path in folder.glob("*.py")
        if path.name != "__init__.py"
    }
    modules = {module for module in loose if _imports_qt(module)} | {"app.__main__"}
    modules -= {"app.boot.qt_compat"}
    assert {"app.main", "app.boot.startup", "app.boot.error_reporting"} <= modules
    for module in sorted(modules):
        body = _body(MODULES[module])
        calls = [i for i, node in enumerate(body) if _is_prepare_call(node)]
        assert calls, f"{module} does not call prepare()"
        first = next((i for i, node in enumerate(body) if _imports_qt_or_the_app(node)), len(body))
        assert calls[0] < first, f"{module} imports Qt (or the app) before it calls prepare()"


# ------------------------------------------------------------------------------ the command, light


def _module_level_imports(path: Path) -> list[str]:
    """The modules imported when ``path`` is imported: not those inside functions, nor for type hints."""
    found = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append(child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_the_command_imports_neither_numpy_nor_qt_and_the_app_only_when_it_hands_over():
    modules = {name for name in GRAPH if _inside(name, LAUNCHER)}
    assert {f"{LAUNCHER}.command_line", f"{LAUNCHER}.desktop_entry", f"{LAUNCHER}.__main__"} <= modules
    for module in sorted(modules):
        heavy = sorted({n for n, _ in GRAPH[module] if n.split(".")[0] in ("numpy", "PySide6", "shiboken6")})
        assert heavy == [], f"{module} imports {heavy}"
        eager = [
            name
            for name in _module_level_imports(MODULES[module])
            if name.split(".")[0] not in sys.stdlib_module_names and not _inside(name, LAUNCHER)
        ]
        assert eager == [], f"{module} imports {eager} when it is imported, not when it hands over"


def test_python_m_app_launcher_version_leaves_numpy_and_qt_unimported():
    """What the command really imports, from ``python -X importtime``: neither numpy nor Qt."""
    for option in ("--version", "--help"):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", LAUNCHER, option],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.startswith("digit-canvas") or "usage: digit-canvas" in result.stdout
        imported = {
            line.rsplit("|", 1)[1].strip()
            for line in result.stderr.splitlines()
            if line.startswith("import time:")
        }
        assert f"{LAUNCHER}.command_line" in imported  # the timing lines are there to be read
        assert (
            sorted(m for m in imported if m.split(".")[0] in ("numpy", "PySide6", "shiboken6", "model")) == []
        )
