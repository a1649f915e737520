"""Pieces shared by jobs: reading a corpus with progress, pseudonyms."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlpthemes._json import json_ready
from nlpthemes.corpus import Corpus
from nlpthemes.errors import InputError, ReadingWarning
from nlpthemes.io import ReadOptions, read_corpus
from nlpthemes.pseudonymise import Pseudonymiser, read_key, write_key

__all__ = ["PseudonymOptions", "json_ready", "load_corpus", "make_pseudonymiser"]


@dataclass(frozen=True)
class PseudonymOptions:
    """Whether and how to pseudonymise outputs.

    Parameters
    ----------
    enabled : bool
        Replace speaker names (and ``names``) with pseudonyms in outputs.
    names_file : Path or None
        A text file with one more name per line (people, places, organisations).
    key_file : Path or None
        Where the key is read from (if it exists) and written to.
    """

    enabled: bool = False
    names_file: Path | None = None
    key_file: Path | None = None


def load_corpus(
    paths: Sequence[str | Path],
    options: ReadOptions,
    *,
    attributes: str | Path | None = None,
    quiet: bool = True,
) -> Corpus:
    """Read the inputs; raise when nothing at all could be read.

    Reading warnings are not printed here: they stay in each transcript's
    ``reading`` and the job reports them (see :mod:`nlpthemes.jobs._reading`).
    """
    from tqdm import tqdm

    bar = tqdm(desc="reading", unit="file", disable=quiet, leave=False)

    def tick(path: Path) -> None:
        bar.set_postfix_str(path.name[-30:], refresh=False)
        bar.update()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReadingWarning)
            corpus = read_corpus(paths, options, attributes=attributes, progress=tick)
    finally:
        bar.close()
    if not corpus.transcripts:
        problems = "; ".join(message for _, message in corpus.errors) or "no supported files found"
        raise InputError(None, f"no transcript could be read: {problems}")
    return corpus


def make_pseudonymiser(corpus: Corpus, options: PseudonymOptions) -> Pseudonymiser | None:
    """Build the pseudonymiser (extending and saving the key) or ``None`` when disabled."""
    if not options.enabled:
        return None
    key = read_key(options.key_file) if options.key_file and options.key_file.exists() else {}
    pseudonymiser = Pseudonymiser(key=dict(key))
    pseudonymiser.add_corpus(corpus)
    if options.names_file is not None:
        from nlpthemes.io._decode import read_text_file

        pseudonymiser.add_names(read_text_file(options.names_file).text.splitlines())
    if options.key_file is not None:
        write_key(pseudonymiser.key, options.key_file)
    return pseudonymiser


def theme_memory(cache: bool) -> Path | None:
    """Where theme fitting keeps its dimension reductions and fitted themes (no text): ``themes/``
    in the cache folder (``NLPTHEMES_CACHE_DIR``), or nowhere with ``--no-cache``."""
    if not cache:
        return None
    from nlpthemes.embed import default_cache_dir

    return default_cache_dir() / "themes"


def suggester_memory(cache: bool = True) -> Path | None:
    """Where fitted suggesters are kept, so a re-run on the same inputs does not fit again:
    ``suggesters/`` in the cache folder (no text: see :mod:`nlpthemes.suggest._memo`), or
    nowhere with ``--no-cache``."""
    if not cache:
        return None
    from nlpthemes.embed import default_cache_dir

    return default_cache_dir() / "suggesters"
