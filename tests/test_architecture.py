"""The dependency rule, read from the source (ast), imports inside functions included.

- the entry points (web, CLI) import the application layer, `app/application/`;
- the application layer imports `gis` and `cases`, never Flask, click or an entry point;
- `gis` and `cases` never import each other or anything above them;
- no import cycles between the project's modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP_PACKAGES = ("app", "gis", "cases")
FORBIDDEN = {"gis": ("cases", "app"), "cases": ("gis", "app")}
WEB_AND_CLI = ("flask", "click", "werkzeug", "marshmallow", "waitress")  # and flask_* extensions


def module_files(root: Path, packages=TOP_PACKAGES) -> dict[str, Path]:
    """Every module of the project's packages, by dotted name (a package by its own name)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "static" in parts or "templates" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path, known: set[str]) -> set[str]:
    """What `module` imports, anywhere in the file: project modules as they resolve, and
    the top-level name of everything else."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                drop = node.level - 1 if is_package else node.level
                parent = parent[: len(parent) - drop]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in known else base)
    resolved = set()
    for name in names:
        while name not in known and "." in name:  # `import gis.store.x` → gis.store
            name = name.rsplit(".", 1)[0]
        resolved.add(name)
    return resolved


def import_graph(root: Path, packages=TOP_PACKAGES) -> dict[str, set[str]]:
    """Module → the modules and libraries it imports."""
    files = module_files(root, packages)
    known = set(files)
    return {
        module: imported_names(module, path, known) - {module} for module, path in files.items()
    }


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_web_library(name: str) -> bool:
    return _top(name) in WEB_AND_CLI or _top(name).startswith("flask_")


def web_modules(graph: dict[str, set[str]]) -> set[str]:
    """Modules of `app` that import Flask, click and the like, directly or through others:
    the entry points (`app`'s package init is the Flask app factory). `gis` and `cases`
    may use a library such as werkzeug's password hashing without becoming one."""
    app = {m: imports for m, imports in graph.items() if _top(m) == "app"}
    web = {m for m, imports in app.items() if any(_is_web_library(n) for n in imports)}
    while True:
        more = {m for m, imports in app.items() if m not in web and imports & web}
        if not more:
            return web
        web |= more


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Upward or sideways imports, and Flask, click or an entry point in the application
    layer (imports a module of `app` only when that module is free of them)."""
    problems = []
    web = web_modules(graph)
    for module, imports in sorted(graph.items()):
        for name in sorted(imports):
            if _top(module) in FORBIDDEN and _top(name) in FORBIDDEN[_top(module)]:
                problems.append(f"{module} imports {name}")
            if module == "app.application" or module.startswith("app.application."):
                if _is_web_library(name):
                    problems.append(
                        f"{module} imports {name} (the application layer is no web/CLI)"
                    )
                elif name in web:
                    problems.append(f"{module} imports the entry-point module {name}")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle between project modules, as a closed path (Tarjan's SCCs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node] & graph.keys()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(_closed_path(graph, set(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _closed_path(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One cycle through a strongly connected component, e.g. [a, b, a]."""
    start = min(component)
    previous = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & component):
            if nxt == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return sorted(component)  # pragma: no cover - a component always has a cycle


# -- the rule on this project -------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT)


def test_the_graph_sees_every_package_and_imports_inside_functions(graph):
    assert {"app", "gis", "cases", "gis.store", "cases.services"} <= graph.keys()
    # `open_store` imports the PostGIS store inside the function.
    assert "gis.postgis_store" in graph["gis.store"]


def test_the_dependency_rule_holds(graph):
    """gis and cases independent, nothing upward, no web or CLI in the application layer."""
    problems = layer_violations(graph)
    assert problems == [], "imports that break the rule:\n" + "\n".join(problems)


def test_the_application_layer_has_no_web_or_cli(graph):
    application = {m: i for m, i in graph.items() if m.startswith("app.application")}
    assert "app.application.sample_loader" in application
    for module, imports in application.items():
        assert not [n for n in imports if _is_web_library(n)], module


def test_no_import_cycles(graph):
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(" → ".join(c) for c in found)


# -- the checker on a made-up tree ----------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_upward_imports_inside_functions_and_cycles(tmp_path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "import flask\n",
            "app/views.py": "from flask import abort\nfrom app.application import site_check\n",
            "app/forms.py": "from app import views\n",  # web through another module
            "app/application/__init__.py": "",
            "app/application/site_check.py": "from flask import request\nfrom app import forms\n",
            "gis/__init__.py": "",
            "gis/a.py": "def f():\n    from gis import b\n    from cases.model import Case\n",
            "gis/b.py": "from . import a\n",
            "cases/__init__.py": "",
            "cases/model.py": "import gis.a\n",
        },
    )
    graph = import_graph(root)
    assert graph["gis.b"] == {"gis.a"}  # a relative import resolves
    assert sorted(layer_violations(graph)) == [
        "app.application.site_check imports flask (the application layer is no web/CLI)",
        "app.application.site_check imports the entry-point module app.forms",
        "cases.model imports gis.a",
        "gis.a imports cases.model",
    ]
    found = cycles(graph)
    assert len(found) == 2  # one per tangle: app's, and gis.a-gis.b-cases.model
    for cycle in found:  # each a closed path along real imports
        assert cycle[0] == cycle[-1]
        assert all(b in graph[a] for a, b in zip(cycle, cycle[1:]))
    assert {"app.views", "app.forms", "app.application.site_check"} in [set(c) for c in found]
    assert any("gis.a" in c and set(c) <= {"gis.a", "gis.b", "cases.model"} for c in found)


def test_the_checker_names_the_cycle_of_two_stores(tmp_path):
    root = _tree(
        tmp_path,
        {
            "gis/__init__.py": "",
            "gis/store.py": "def open_store():\n    from gis.postgis_store import PostGISStore\n",
            "gis/postgis_store.py": "from gis.store import LayerInfo\n",
        },
    )
    assert cycles(import_graph(root, ("gis",))) == [
        ["gis.postgis_store", "gis.store", "gis.postgis_store"]
    ]


def test_the_checker_passes_a_clean_tree(tmp_path):
    root = _tree(
        tmp_path,
        {
            "app/__init__.py": "import flask\n",
            "app/views.py": "from app.application.site_check import run\n",
            "app/application/__init__.py": "",
            "app/application/site_check.py": "import gis.a\nimport cases.model\nfrom app import words\n",
            "app/words.py": "import gis.a\n",  # a module of app with no web in it
            "gis/__init__.py": "",
            "gis/a.py": "import shapely\n",
            "cases/__init__.py": "",
            "cases/model.py": "import sqlalchemy\n",
        },
    )
    graph = import_graph(root)
    assert layer_violations(graph) == [] and cycles(graph) == []
