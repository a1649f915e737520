"""``nlpthemes models list``: every known model, what it is for, and whether it is here."""

from __future__ import annotations

from typing import Any

from nlpthemes.embed._registry import Registry, load_registry
from nlpthemes.embed._resolve import find_package_dir
from nlpthemes.models._store import installed_path

__all__ = ["model_table"]


def model_table(registry: Registry | None = None) -> list[dict[str, Any]]:
    """One row per registry model: name, kind, languages, size, licence, where it is or how to get it.

    Examples
    --------
    >>> rows = model_table()
    >>> row = next(r for r in rows if r["name"] == "all-MiniLM-L6-v2")
    >>> row["kind"], row["installed"] is not None
    ('embedding', True)
    """
    registry = registry or load_registry()
    rows = []
    for spec in registry.models:
        where = None
        if spec.backend == "fake":
            where = "built in"
        elif spec.backend == "concat":
            where = "its parts: " + ", ".join(spec.parts)
        elif spec.install is not None:
            path = installed_path(spec)
            where = None if path is None else str(path)
        else:
            for source in spec.packages:
                folder = find_package_dir(source)
                if folder is not None:
                    where = f"package {source.distribution}"
                    break
        rows.append({
            "name": spec.name, "kind": spec.kind, "languages": ", ".join(spec.languages),
            "size_mb": None if spec.size is None else round(spec.size / 1e6),
            "licence": spec.licence, "installed": where,
            "install": None if where is not None else spec.install_hint,
            "description": spec.description,
        })  # fmt: skip
    return rows
