"""Plotly figures as HTML fragments (the plotly.js library is embedded once, by the page).

Every string shown in a figure (hover text, labels, axis ticks) is
HTML-escaped first: plotly renders a subset of HTML in text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nlpthemes.report._html import esc

__all__ = ["agreement_chart", "comparison_chart", "heatmap", "plotly_js", "theme_map_figure"]

_GREY = "#9aa5b1"


def plotly_js() -> str:
    """The plotly.js bundle of the installed plotly package, safe to put in a ``<script>`` element."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs()).replace("</script", "<\\/script")


def _div(figure: Any) -> str:
    import plotly.io as pio

    config = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg"}}
    html: str = pio.to_html(figure, full_html=False, include_plotlyjs=False, config=config)
    return html


def _short(text: Any, n: int = 140) -> str:
    shown = str(text)
    return shown if len(shown) <= n else shown[: n - 1] + "…"


def theme_map_figure(points: Any, centres: Any) -> str:
    """Sentences on a 2-D map coloured by theme, theme centres labelled.

    ``points``: ``x, y, theme, label, text``; ``centres``: ``x, y, theme, label, size``.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for theme, part in points.groupby("theme", sort=True):
        outlier = int(theme) < 0
        name = "outliers" if outlier else f"{int(theme)}: {_short(part['label'].iloc[0], 40)}"
        figure.add_trace(go.Scatter(
            x=part["x"], y=part["y"], mode="markers", name=esc(name),
            marker={"size": 5, "opacity": 0.35 if outlier else 0.7, **({"color": _GREY} if outlier else {})},
            text=[esc(_short(t)) for t in part["text"]], hovertemplate="%{text}<extra>" + esc(name) + "</extra>",
        ))  # fmt: skip
    if len(centres):
        figure.add_trace(go.Scatter(
            x=centres["x"], y=centres["y"], mode="markers+text", name="theme centres",
            text=[esc(f"{int(t)}: {_short(lab, 28)}") for t, lab in zip(centres["theme"], centres["label"], strict=True)],
            textposition="top center", marker={"size": 12, "symbol": "diamond", "color": "#243b53"},
            hovertemplate="%{text}<extra></extra>",
        ))  # fmt: skip
    figure.update_layout(height=560, margin={"l": 30, "r": 10, "t": 30, "b": 30}, legend={"font": {"size": 10}},
                         xaxis={"title": "PC 1", "zeroline": False}, yaxis={"title": "PC 2", "zeroline": False},
                         template="plotly_white")  # fmt: skip
    return _div(figure)


def heatmap(
    rows: Sequence[str], columns: Sequence[str], values: Any, counts: Any, *, title: str, value_name: str
) -> str:
    """A heatmap of ``values`` (rows x columns) with counts in the hover text."""
    import plotly.graph_objects as go

    hover = [[f"{esc(r)}<br>{esc(c)}<br>{value_name}: {v:.3f}<br>count: {int(n)}"
              for c, v, n in zip(columns, vrow, nrow, strict=True)]
             for r, vrow, nrow in zip(rows, values, counts, strict=True)]  # fmt: skip
    figure = go.Figure(go.Heatmap(
        z=values, x=[esc(_short(c, 30)) for c in columns], y=[esc(_short(r, 50)) for r in rows],
        text=hover, hoverinfo="text", colorscale="Blues", colorbar={"title": esc(value_name)},
    ))  # fmt: skip
    height = max(320, 26 * len(rows) + 140)
    figure.update_layout(title=esc(title), height=height, margin={"l": 10, "r": 10, "t": 50, "b": 80},
                         yaxis={"autorange": "reversed", "automargin": True}, xaxis={"automargin": True},
                         template="plotly_white")  # fmt: skip
    return _div(figure)


def agreement_chart(per_code: Any, order: Sequence[str], *, metric: str = "krippendorff_alpha") -> str:
    """Per code: human-human beside human-machine (mean over pairs; interval when one pair)."""
    import plotly.graph_objects as go

    short = {"krippendorff_alpha": "alpha", "cohen_kappa": "kappa"}[metric]
    figure = go.Figure()
    colours = {"human-human": "#627d98", "human-machine": "#f0b429"}
    for kind in ("human-human", "human-machine"):
        part = per_code[per_code["kind"] == kind]
        if part.empty:
            continue
        grouped = part.groupby("code")
        mean = grouped[metric].mean()
        single = grouped.size() == 1
        low = grouped[f"{short}_low"].first().where(single)
        high = grouped[f"{short}_high"].first().where(single)
        codes = [c for c in order if c in mean.index]
        values = [None if math.isnan(mean[c]) else float(mean[c]) for c in codes]
        plus = [None if math.isnan(high[c]) or v is None else high[c] - v for c, v in zip(codes, values, strict=True)]
        minus = [None if math.isnan(low[c]) or v is None else v - low[c] for c, v in zip(codes, values, strict=True)]
        figure.add_trace(go.Bar(
            y=[esc(_short(c, 60)) for c in codes], x=values, orientation="h", name=kind, marker_color=colours[kind],
            error_x={"type": "data", "array": plus, "arrayminus": minus, "visible": True, "thickness": 1},
            hovertemplate="%{y}: %{x:.3f}<extra>" + kind + "</extra>",
        ))  # fmt: skip
    n = len(order)
    figure.update_layout(barmode="group", height=max(300, 30 * n + 120), template="plotly_white",
                         xaxis={"title": f"Krippendorff's {short}" if short == "alpha" else "Cohen's kappa",
                                "range": [-0.5, 1.0]},
                         yaxis={"autorange": "reversed", "automargin": True},
                         margin={"l": 10, "r": 10, "t": 30, "b": 40}, legend={"orientation": "h"})  # fmt: skip
    return _div(figure)


def comparison_chart(table: Any, a: str, b: str, *, n: int = 20) -> str:
    """The items that differ most between two groups: log odds ratio, positive = more in ``a``."""
    import plotly.graph_objects as go

    top = table.head(n).iloc[::-1]
    labels = [esc(f"{_short(i, 50)} ({k})") for i, k in zip(top["item"], top["source"], strict=True)]
    hover = [esc(f"{a}: {ca}/{ta}  {b}: {cb}/{tb}  z={z:.2f}")
             for ca, ta, cb, tb, z in zip(top["count_a"], top["total_a"], top["count_b"], top["total_b"], top["z"],
                                          strict=True)]  # fmt: skip
    figure = go.Figure(go.Bar(
        x=top["log_odds_ratio"], y=labels, orientation="h", text=hover, hoverinfo="text+y",
        marker_color=["#2680c2" if v > 0 else "#e12d39" for v in top["log_odds_ratio"]],
    ))  # fmt: skip
    figure.update_layout(height=max(300, 26 * len(top) + 120), template="plotly_white",
                         xaxis={"title": esc(f"log odds ratio (> 0: more in {a}; < 0: more in {b})")},
                         yaxis={"automargin": True}, margin={"l": 10, "r": 10, "t": 30, "b": 50})  # fmt: skip
    return _div(figure)
