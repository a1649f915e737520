"""Errors of the embedding step (to move into :mod:`nlpthemes.errors`)."""

from __future__ import annotations

from nlpthemes.errors import NlpthemesError

__all__ = ["ModelIntegrityError"]


class ModelIntegrityError(NlpthemesError):
    """A model's weight file is not the one the registry names (truncated or altered)."""
