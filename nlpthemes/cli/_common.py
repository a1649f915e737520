"""Helpers shared by the CLI commands: error handling and output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from nlpthemes.errors import NlpthemesError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_DATA_ERROR = 1
EXIT_USAGE_ERROR = 2


def fail(message: str, code: int = EXIT_DATA_ERROR) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn user-fixable errors into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except NlpthemesError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:  # missing files, a file where a folder should be, a full disk...
            if exc.filename is None and exc.strerror is None:
                raise  # not a file-system error a user can fix: keep the traceback for a bug report
            raise fail(f"{exc.filename or ''}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    return wrapper


def note(message: str, *, quiet: bool = False) -> None:
    """Print a progress or summary line on stderr unless quiet."""
    if not quiet:
        print(message, file=sys.stderr)
