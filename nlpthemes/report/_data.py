"""What a report shows: results as tables and dicts (never fitted models)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReportData"]


@dataclass
class ReportData:
    """The results a report renders; every table is a pandas DataFrame, text already pseudonymised.

    Attributes
    ----------
    title : str
    overview : dict
        ``n_transcripts, n_sentences, n_participant_sentences, n_participants,
        n_analysed, model, model_hash, seconds, created, pseudonymised``.
    themes : DataFrame
        :func:`nlpthemes.themes.themes_table` (themes level 0, groups 1-2, outliers -1).
    quotes : DataFrame
        :func:`nlpthemes.themes.quotes_table`.
    theme_points, theme_centres : DataFrame or None
        The theme map: ``x, y, theme, label, text`` and ``x, y, theme, label, size``.
    theme_groups : DataFrame or None
        :func:`nlpthemes.themes.theme_distribution` by ``group_column``.
    group_column : str
        The participant attribute that groups participants (or ``transcript``).
    matches, uncovered, unsupported : DataFrame or None
        :func:`nlpthemes.match.match_tables` (None without a codebook).
    code_frequencies : DataFrame or None
        ``source, code, group, count, units, share``.
    cooccurrence : DataFrame or None
        :func:`nlpthemes.compare.cooccurrence` with a ``source`` column.
    comparison : DataFrame or None
        Group contrasts (:func:`nlpthemes.compare.compare_groups` rows with ``kind, source``).
    compared : tuple of str or None
        The two groups compared.
    agreement : dict or None
        The content of ``agreement.json``.
    per_code : DataFrame or None
        Per-code agreement rows (``PER_CODE_COLUMNS``).
    disagreements : DataFrame or None
        Units where coders differ, for discussion.
    methods : dict
        Parameters the methods paragraph cites.
    notes : list of str
        Warnings to show (skipped files, unplaced quotes, ...).
    """

    title: str
    overview: dict[str, Any]
    themes: Any
    quotes: Any
    theme_points: Any = None
    theme_centres: Any = None
    theme_groups: Any = None
    group_column: str = "transcript"
    matches: Any = None
    uncovered: Any = None
    unsupported: Any = None
    code_frequencies: Any = None
    cooccurrence: Any = None
    comparison: Any = None
    compared: tuple[str, str] | None = None
    comparison_note: str | None = None
    agreement: dict[str, Any] | None = None
    per_code: Any = None
    disagreements: Any = None
    methods: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
