"""CLI options several commands take, defined once.

Single options are ``Annotated`` types (``model: o.Model = None``). Options
that together build one library object (the reading options, the
pseudonyms) are an :class:`OptionGroup`: a command declares the object it
wants (``options: ReadOptions``) and :func:`with_options` shows typer the
group's options in its place, then calls the command with the object built
from their values. Adding an option to a group adds it to every command
that takes the group.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail

__all__ = ["Device", "MinThemeSize", "Model", "NThemes", "NoCache", "OptionGroup", "Seed", "auto_int", "with_options"]

F = TypeVar("F", bound=Callable[..., Any])

# what no --model gives (review: after the model of the run it reviews)
MODEL_DEFAULT = ("on a CPU: minilm-use (all-MiniLM-L6-v2 as its int8 ONNX export, read together with multilingual "
                 "USE); on a CUDA GPU: all-MiniLM-L6-v2. Korean, Japanese or Chinese transcripts: "
                 "embeddinggemma-300m if installed, else multilingual USE")
Model = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Embedding model: a registry name (e.g. all-MiniLM-L6-v2, onnx-int8, "
                                       f"static, multilingual) or a local folder; default {MODEL_DEFAULT}."),
]  # fmt: skip
Device = Annotated[str | None, typer.Option("--device", help="cpu, cuda, cuda:N or mps (default: auto).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Do not use the embedding cache.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
NThemes = Annotated[str, typer.Option("--themes", help="Number of themes, or 'auto'.")]
MinThemeSize = Annotated[str, typer.Option("--min-theme-size", help="Smallest theme in sentences, or 'auto'.")]


def auto_int(value: str, option: str, *, minimum: int = 0) -> int | str:
    """``"auto"`` or the integer ``value`` (at least ``minimum``); else a usage error naming ``option``.

    Examples
    --------
    >>> auto_int("auto", "--themes"), auto_int("12", "--themes")
    ('auto', 12)
    """
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        at_least = f" >= {minimum}" if minimum else ""
        raise fail(f"{option} must be 'auto' or an integer{at_least}; got {value!r}", EXIT_USAGE_ERROR)
    return number


@dataclass(frozen=True)
class OptionGroup:
    """Options that together build what a command receives.

    Attributes
    ----------
    provides : tuple of str
        The command parameters the group fills (the first one marks where
        the group's options go in ``--help``); they are not CLI options.
    parameters : tuple of inspect.Parameter
        The CLI options (keyword-only, ``Annotated`` typer options).
    build : callable
        ``build(values, others)``: the group's option values and the
        command's other arguments in, ``{provided name: object}`` out.
    """

    provides: tuple[str, ...]
    parameters: tuple[inspect.Parameter, ...]
    build: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]

    @classmethod
    def of(
        cls, provides: tuple[str, ...], options: dict[str, tuple[Any, Any]],
        build: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
    ) -> OptionGroup:  # fmt: skip
        """A group from ``{parameter name: (Annotated type, default)}``, in that order."""
        parameters = tuple(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
            for name, (kind, default) in options.items()
        )
        return cls(provides=provides, parameters=parameters, build=build)


def with_options(*groups: OptionGroup) -> Callable[[F], F]:
    """Show each group's options in a command's signature and call it with what they build.

    Examples
    --------
    >>> group = OptionGroup.of(("size",), {"width": (int, 1), "height": (int, 2)},
    ...                        lambda v, _: {"size": v["width"] * v["height"]})
    >>> @with_options(group)
    ... def area(name: str, size: int) -> str:
    ...     return f"{name}: {size}"
    >>> list(inspect.signature(area).parameters)
    ['name', 'width', 'height']
    >>> area(name="box", width=3, height=4)
    'box: 12'
    """

    def decorate(func: F) -> F:
        shown = inspect.signature(func)
        parameters: list[inspect.Parameter] = []
        for parameter in shown.parameters.values():
            group = next((g for g in groups if parameter.name in g.provides), None)
            if group is None:  # a plain option: its annotation evaluated (the filled ones may be import-only names)
                kind = parameter.annotation
                if isinstance(kind, str):
                    kind = eval(kind, func.__globals__)  # noqa: S307 - the command's own annotation
                parameters.append(parameter.replace(annotation=kind))
            elif parameter.name == next(name for name in group.provides if name in shown.parameters):
                parameters.extend(group.parameters)
        missing = [name for g in groups for name in g.provides if name not in shown.parameters]
        if missing:
            raise TypeError(f"{func.__name__} takes no parameter {missing[0]!r} for its option group")

        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            for group in groups:
                values = {p.name: kwargs.pop(p.name) for p in group.parameters}
                kwargs.update(group.build(values, kwargs))
            return func(**kwargs)

        positional = [p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in parameters]
        command.__signature__ = shown.replace(parameters=positional)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in positional}
        return command  # type: ignore[return-value]

    return decorate
