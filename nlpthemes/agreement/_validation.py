"""Option checks and the explicit handling of undefined agreement values."""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection

from nlpthemes.errors import InputError, NlpthemesError

__all__ = [
    "LEVELS",
    "ON_UNDEFINED",
    "WEIGHTS",
    "UndefinedAgreementError",
    "UndefinedAgreementWarning",
    "check_option",
    "resolve_undefined",
]

LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS: tuple[str, ...] = ("none", "linear", "quadratic")
ON_UNDEFINED: tuple[str, ...] = ("warn", "raise")

Outcome = tuple[float, "str | None"]


class UndefinedAgreementWarning(UserWarning):
    """A coefficient is 0/0 for these data and was reported as NaN.

    The typical case: every coder used one single category, so expected and
    observed agreement are both 1 and a chance-corrected coefficient is 0/0.
    """


class UndefinedAgreementError(NlpthemesError, ValueError):
    """A coefficient is undefined and the caller asked to raise (``on_undefined="raise"``)."""


def check_option(name: str, value: object, allowed: Collection[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming the parameter.

    Examples
    --------
    >>> check_option("level", "ordinal", LEVELS)
    'ordinal'
    >>> check_option("level", "nominl", LEVELS)
    Traceback (most recent call last):
    ...
    nlpthemes.errors.InputError: level='nominl' is not allowed; use one of: nominal, ...
    """
    if not isinstance(value, str) or value not in allowed:
        raise InputError(None, f"{name}={value!r} is not allowed; use one of: {', '.join(allowed)}")
    return value


def resolve_undefined(metric: str, outcome: Outcome, on_undefined: str) -> float:
    """Turn a computed ``(value, reason)`` into a float, warning or raising when undefined.

    ``reason`` is ``None`` when the value is defined; otherwise it says why the
    coefficient is 0/0 and the value is NaN (never a silent 0 or 1).

    Examples
    --------
    >>> resolve_undefined("cohen_kappa", (0.5, None), "warn")
    0.5
    >>> resolve_undefined("cohen_kappa", (math.nan, "one category"), "raise")
    Traceback (most recent call last):
    ...
    nlpthemes.agreement._validation.UndefinedAgreementError: cohen_kappa is undefined: one category
    """
    check_option("on_undefined", on_undefined, ON_UNDEFINED)
    value, reason = outcome
    if reason is None:
        return float(value)
    message = f"{metric} is undefined: {reason}"
    if on_undefined == "raise":
        raise UndefinedAgreementError(message)
    warnings.warn(f"{message}; returning NaN", UndefinedAgreementWarning, stacklevel=3)
    return math.nan
