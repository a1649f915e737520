"""Fitted suggesters kept in the cache folder, so a re-run on the same inputs skips the fit.

Fitting the default suggester is deterministic: the same sentences and vectors, codebook,
human codes and parameters, with the same sentence model and the same package versions,
give the same judge. A fit is kept under ``suggester-<key>/`` in the suggester's
``memory`` folder as :func:`~nlpthemes.suggest._persist_judged.save_judged` writes it
(JSON and ``.npz``, read without pickle); ``key`` is a SHA-256 of all of that. The
:data:`KEEP` most recently used fits are kept. Like the
embedding cache, it holds no text: vectors, codes' ids, numbers; the code cards (which may
quote transcripts in their examples) are left out and made again from the codebook. Only the
default feature judge is kept: the text judges depend on models outside the key. A damaged
entry is fitted again and replaced; a read-only cache only costs the speed-up.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpthemes.codebook import Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.io._atomic import keep_newest, touch_folder, write_folder_once
from nlpthemes.manifest import package_versions, source_digest

if TYPE_CHECKING:
    import pandas as pd

    from nlpthemes.suggest._judged import JudgedSuggester

__all__ = ["keep_suggester", "recall_suggester", "suggester_key"]

_FITTING = ("nlpthemes", "numpy", "scikit-learn", "scipy")
KEEP = 30  # fits kept; the least recently used go first (one is a few MB: the coded sentences' vectors)


def suggester_key(model: JudgedSuggester, sentences: Sequence[Sentence], codebook: Codebook,
                  codings: pd.DataFrame | None, embeddings: Any, groups: Sequence[str] | None) -> str | None:  # fmt: skip
    """A SHA-256 of everything ``model.fit`` depends on, or ``None`` when the fit cannot be kept.

    It cannot when the judge reads texts with another model, or the sentence model does
    not say which weights it runs (no ``model_hash``).

    Examples
    --------
    >>> from nlpthemes.codebook import Code
    >>> from nlpthemes.embed import FakeEmbedder
    >>> from nlpthemes.suggest import JudgedSuggester
    >>> book = Codebook([Code("m", "money")])
    >>> s = [Sentence("p1", 0, 0, 5, "money")]
    >>> a = suggester_key(JudgedSuggester(embedder=FakeEmbedder()), s, book, None, None, None)
    >>> b = suggester_key(JudgedSuggester(embedder=FakeEmbedder(), top_k=2), s, book, None, None, None)
    >>> len(a), a == b
    (40, False)
    """
    identity = getattr(model.embedder, "model_hash", None)
    if model.judge != "features" or not identity:
        return None
    digest = hashlib.sha256()
    if embeddings is not None:
        x = np.ascontiguousarray(embeddings, dtype=np.float32)
        digest.update(x.tobytes())
        digest.update(repr(x.shape).encode())
    for s in sentences:
        digest.update(repr(s).encode())
    digest.update(repr(list(codebook)).encode())
    if codings is not None:  # in any row order: the fit reads them as a set
        table = codings.astype(str)
        table = table[sorted(table.columns)]
        digest.update(table.sort_values(list(table.columns)).to_csv(index=False).encode())
    digest.update(repr(None if groups is None else [str(g) for g in groups]).encode())
    # how decisions are made later (adapt_thresholds) does not change the fit
    params = {k: v for k, v in model.get_params().items() if k not in ("embedder", "memory", "adapt_thresholds")}
    code = (sorted(package_versions(_FITTING).items()), source_digest("suggest", "embed"))
    digest.update(repr((sorted(params.items()), identity, getattr(model.embedder, "batch_size", None), code)).encode())
    return digest.hexdigest()[:40]


def recall_suggester(memory: str | Path, key: str, model: JudgedSuggester, codebook: Codebook) -> bool:
    """Give ``model`` the fit kept under ``key``; ``False`` when there is none (or it is unreadable)."""
    from nlpthemes.errors import NlpthemesError
    from nlpthemes.suggest._pairtext import code_card
    from nlpthemes.suggest._persist_judged import is_judged, load_judged

    folder = Path(memory) / f"suggester-{key}"
    if not is_judged(folder):
        return False
    try:
        kept = load_judged(folder, embedder=model.embedder)
        kept.cards_ = [code_card(codebook, codebook.find(ref)) for ref in kept.codes_]
    except (NlpthemesError, OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(folder, ignore_errors=True)  # damaged: fitted again and kept anew
        return False
    for name, value in vars(kept).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(model, name, value)
    touch_folder(folder)
    return True


def keep_suggester(memory: str | Path, key: str, model: JudgedSuggester) -> None:
    """Keep ``model``'s fit under ``key`` (written aside, then renamed into place)."""
    from nlpthemes.suggest._persist_judged import save_judged

    def write(folder: Path) -> None:
        save_judged(model, folder, cards=False)  # code texts stay in the codebook

    if write_folder_once(Path(memory) / f"suggester-{key}", write):
        keep_newest(memory, "suggester-*", KEEP)
