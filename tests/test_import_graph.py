"""Layering: inside ``nlpthemes.jobs`` each module imports only modules below it (no cycles).

Every import counts, also the ones inside functions: a lazy import hides a
cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

import nlpthemes

PACKAGE = "nlpthemes.jobs"
FOLDER = Path(nlpthemes.__file__).resolve().parent / "jobs"


def import_graph(folder: Path = FOLDER, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in its code)."""
    modules = {package if p.stem == "__init__" else f"{package}.{p.stem}": p for p in folder.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                deps |= {f"{package}.{a.name}" if f"{package}.{a.name}" in modules else package for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module in modules:
                deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in modules}
        graph[name] = deps - {name}
    return graph


def test_jobs_modules_import_only_modules_below_them() -> None:
    graph = import_graph()
    assert {f"{PACKAGE}.batch", f"{PACKAGE}._batch_work", f"{PACKAGE}.analyze", f"{PACKAGE}._outputs"} <= set(graph)
    assert f"{PACKAGE}._batch_work" in graph[f"{PACKAGE}.batch"]  # the graph sees real imports
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle in {PACKAGE}: {' -> '.join(exc.args[1])}")
    assert set(order) == set(graph)


def test_a_cycle_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    from pkg.b import g\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("from pkg import a\n", encoding="utf-8")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}}
    with pytest.raises(graphlib.CycleError):
        list(graphlib.TopologicalSorter(graph).static_order())
