"""From :class:`ReportData` to the HTML page."""

from __future__ import annotations

from pathlib import Path

from nlpthemes.io._atomic import atomic_text
from nlpthemes.report._data import ReportData
from nlpthemes.report._figures import plotly_js
from nlpthemes.report._html import page
from nlpthemes.report._sections import SECTIONS

__all__ = ["render_report", "write_report"]


def render_report(data: ReportData, *, embed_plotly: bool = True) -> str:
    """The report as one HTML string.

    Parameters
    ----------
    data : ReportData
        The results to show.
    embed_plotly : bool
        Embed plotly.js (about 4.8 MB) so the page works offline; ``False``
        gives a small page whose plots do not draw (for tests of the text).

    Examples
    --------
    >>> import pandas as pd
    >>> from nlpthemes.themes import themes_table
    >>> d = ReportData(title="Study <1>", overview={"n_transcripts": 1}, themes=themes_table([], []),
    ...                quotes=pd.DataFrame(columns=["theme", "text"]))
    >>> html = render_report(d, embed_plotly=False)
    >>> "<title>Study &lt;1&gt;</title>" in html, "<script src" in html
    (True, False)
    """
    sections = [render(data) for render in SECTIONS]
    subtitle = "nlpthemes analysis report: candidate themes, codebook, code suggestions and agreement"
    return page(data.title, subtitle, sections, plotly_js=plotly_js() if embed_plotly else None)


def write_report(data: ReportData, path: str | Path, *, embed_plotly: bool = True) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8, atomically)."""
    out = Path(path)
    with atomic_text(out) as handle:
        handle.write(render_report(data, embed_plotly=embed_plotly))
    return out
