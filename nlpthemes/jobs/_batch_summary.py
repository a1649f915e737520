"""The plain-text summary of a batch run (``summary.txt``, also printed by the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["summary_text"]


def _short(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def summary_text(combined: Any, pipeline: Any, *, errors: Sequence[tuple[str, str]], top: int = 5) -> str:
    """What a researcher reads first: coverage, what is new, what shifted.

    Built only from the combined outputs, so it is the same for a resumed run.
    """
    c = combined
    labels = {t.id: t.label for t in pipeline.theme_model.themes_}
    lines = [
        f"batch with pipeline {pipeline.pipeline_id[:12]} ({len(labels)} saved themes, "
        f"{len(pipeline.suggester.codes_)} codes, {pipeline.suggester.mode_} suggestions)",
        f"{c.n_transcripts} transcripts, {c.n_sentences:,} sentences, {c.n_analysed:,} analysed "
        "(interviewer turns and fillers left out)",
    ]
    if c.n_analysed:
        outliers = c.theme_counts.get(-1, 0)
        lines.append(f"in a saved theme: {_pct(c.n_analysed - outliers, c.n_analysed)}; outside every saved theme: "
                     f"{_pct(outliers, c.n_analysed)}")  # fmt: skip
        biggest = sorted(((n, t) for t, n in c.theme_counts.items() if t >= 0), reverse=True)[:top]
        for n, t in biggest:
            lines.append(f"  theme {t:>3}  {_pct(n, c.n_analysed):>6}  {_short(labels.get(t, ''), 60)}")
    lines.append(f"far from every code and saved theme: {c.n_novel:,} sentences ({_pct(c.n_novel, c.n_analysed)} of "
                 "analysed)")  # fmt: skip
    themes = c.new_themes
    if themes is not None and len(themes):
        lines.append(f"candidate new themes ({len(themes)}), largest first:")
        for row in themes.head(top * 2).itertuples(index=False):
            lines.append(f"  new {row.id:>3}  size {row.size:>5}  {_short(row.label, 44):<44} nearest saved theme "
                         f"{row.nearest_theme} ({row.nearest_theme_similarity:.2f}), code {_short(row.nearest_code, 24)} "
                         f"({row.nearest_code_similarity:.2f})")  # fmt: skip
    elif c.note:
        lines.append(f"candidate new themes: none ({c.note})")
    shift = c.shift
    if shift is not None and len(shift):
        overall = shift[(shift["by"] == "all") & shift["shift"].notna()]
        overall = overall.reindex(overall["shift"].abs().sort_values(ascending=False, kind="stable").index)
        lines.append("largest shifts in theme shares, new set minus fit set (all participants):")
        for row in overall.head(top).itertuples(index=False):
            lines.append(f"  {100 * row.shift:+6.1f} pts  theme {row.theme:>3}  {_short(row.label, 50)} "
                         f"({_pct(row.old_share, 1)} -> {_pct(row.new_share, 1)})")  # fmt: skip
        groups = shift[(shift["by"] != "all") & shift["shift"].notna()]
        if len(groups):
            groups = groups.reindex(groups["shift"].abs().sort_values(ascending=False, kind="stable").index)
            lines.append("largest shifts within participant groups:")
            for row in groups.head(top).itertuples(index=False):
                lines.append(f"  {100 * row.shift:+6.1f} pts  {row.by}={row.group}  theme {row.theme:>3}  "
                             f"{_short(row.label, 40)}")  # fmt: skip
    if errors:
        lines.append(f"files not read ({len(errors)}):")
        lines.extend(f"  {message}" for _, message in errors)
    lines.append("outputs: " + ", ".join(sorted(c.files.values())) + ", transcripts/<id>/, summary.txt, manifest.json")
    return "\n".join(lines) + "\n"
