"""Values made ready for JSON: numpy scalars as numbers, tuples as lists, NaN and infinity as ``None``."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_ready"]


def json_ready(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers, tuples as lists, keys as strings, NaN/inf as None.

    Examples
    --------
    >>> json_ready({1: (float("nan"), 2.5)})
    {'1': [None, 2.5]}
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
