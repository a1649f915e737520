"""Registry of CLI commands: each module under ``nlpthemes.cli`` adds its own."""

from __future__ import annotations

import importlib

import typer

# module name -> it defines ``register(app)``; kept explicit (no plugin discovery)
COMMAND_MODULES: tuple[str, ...] = (
    "nlpthemes.cli.segment",
    "nlpthemes.cli.embed",
    "nlpthemes.cli.agree",
    "nlpthemes.cli.refi",
    "nlpthemes.cli.suggest",
    "nlpthemes.cli.themes",
    "nlpthemes.cli.match",
    "nlpthemes.cli.analyze",
    "nlpthemes.cli.fit",
    "nlpthemes.cli.batch",
    "nlpthemes.cli.models",
    "nlpthemes.cli.review",
    "nlpthemes.cli.codebook",
)


def register_all(app: typer.Typer) -> None:
    """Register every command module's commands on ``app``."""
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a module not written yet
            if exc.name == name:
                continue
            raise
        module.register(app)
