"""The inputs of an ``analyze`` run, read back from its output folder (for ``review`` and ``export``)."""

from __future__ import annotations

import json
from pathlib import Path

from nlpthemes.errors import InputError
from nlpthemes.io import ReadOptions

__all__ = ["analysis_inputs"]


def analysis_inputs(folder: Path) -> tuple[list[Path], Path, list[Path], ReadOptions, str | None, Path | None]:
    """What an ``analyze`` run read, from its output folder's ``manifest.json``: the transcripts,
    codebook, codings, reading options, model and attributes file.

    Raises
    ------
    InputError
        No analyze manifest, a run without a codebook, inputs that are gone, or reading
        options edited into something unusable (naming the manifest).
    """
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("command") != "analyze":
        raise InputError(path, "not the manifest of an 'nlpthemes analyze' run")
    params = manifest.get("parameters") or {}
    if not params.get("codebook"):
        raise InputError(path, "that analysis ran without a codebook: give --codebook")

    def existing(value: str, what: str) -> Path:
        p = Path(value)
        for candidate in (p, folder / p, folder.parent / p):
            if candidate.exists():
                return candidate
        raise InputError(p, f"the {what} named in {path} is not there any more (or analyze ran from another "
                            "folder): run the command from that folder, or give --transcripts and --codebook")  # fmt: skip

    paths = [existing(p, "transcripts") for p in params.get("paths") or []]
    codebook = existing(params["codebook"], "codebook")
    codings = [existing(c, "codings") for c in params.get("codings") or []]
    attributes = existing(params["attributes"], "attributes") if params.get("attributes") else None
    # the reading options of the analysis (a run before they were all kept: interviewers and language)
    recorded = params.get("read_options")
    try:
        options = ReadOptions.from_record(recorded if isinstance(recorded, dict) else params)
    except InputError as exc:  # a manifest edited by hand
        raise InputError(path, f"its reading options cannot be used: {exc.problem}") from None
    model = params.get("model")
    if model is None and isinstance(manifest.get("model"), dict):
        model = manifest["model"].get("name")
    return paths, codebook, codings, options, model, attributes
