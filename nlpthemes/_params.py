"""``get_params``, ``set_params`` and ``repr`` from the constructor signature (the sklearn contract)."""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["ParamsMixin"]


class ParamsMixin:
    """Give a class whose ``__init__`` only stores keyword-only arguments ``get_params``.

    Examples
    --------
    >>> class Toy(ParamsMixin):
    ...     def __init__(self, *, size: int = 3) -> None:
    ...         self.size = size
    >>> Toy(size=4).get_params()
    {'size': 4}
    >>> Toy()
    Toy(size=3)
    """

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters and their current values."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters; an unknown name is an error that lists the valid ones.

        Examples
        --------
        >>> class Toy(ParamsMixin):
        ...     def __init__(self, *, size: int = 3) -> None:
        ...         self.size = size
        >>> Toy().set_params(size=5).size
        5
        >>> Toy().set_params(sise=5)
        Traceback (most recent call last):
        ...
        ValueError: unknown parameter 'sise'; valid: size
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"unknown parameter {name!r}; valid: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
