"""HTML building blocks: escaping, tables, the page. Every piece of user text goes through :func:`esc`."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["esc", "fmt", "page", "section", "table"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1f2933;
background:#fafafa;line-height:1.45}
header{background:#243b53;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.6em}
header p{margin:.3em 0 0;color:#d9e2ec}
nav{background:#334e68;padding:.5em 2em;position:sticky;top:0;z-index:10}
nav a{color:#f0f4f8;margin-right:1.2em;text-decoration:none;font-size:.92em}nav a:hover{text-decoration:underline}
main{padding:1em 2em;max-width:1200px}
section{background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:1em 1.4em;margin:1.2em 0}
h2{margin-top:.2em;color:#243b53}h3{color:#334e68;margin-bottom:.3em}
table{border-collapse:collapse;font-size:.88em;margin:.6em 0;width:100%}
th,td{border-bottom:1px solid #e4e7eb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#52606d;font-size:.9em}.warn{color:#8d2b0b}
.theme{border-left:4px solid #627d98;padding:.2em .9em;margin:.8em 0}
.kw{color:#486581;font-size:.9em}blockquote{margin:.3em 0 .3em 1em;color:#323f4b;font-size:.93em}
blockquote cite{color:#7b8794;font-style:normal;font-size:.85em;margin-left:.4em}
.methods{background:#f0f4f8;padding:.8em 1em;border-radius:4px;white-space:pre-wrap}
.kpi{display:inline-block;margin:.3em 1.6em .3em 0}.kpi b{font-size:1.4em;display:block;color:#243b53}
ul.tree{margin:.2em 0 .2em 1.2em;padding-left:.6em}.tw{overflow-x:auto;max-width:100%}
.js-plotly-plot{max-width:100%}
"""

# Collects script errors and CSP violations into attributes a headless browser can read back.
_WATCH = (
    "window.__reportErrors=[];function __mark(m){window.__reportErrors.push(String(m));"
    "document.documentElement.setAttribute('data-script-errors',String(window.__reportErrors.length));}"
    "window.addEventListener('error',function(e){__mark(e.message||e);});"
    "window.addEventListener('unhandledrejection',function(e){__mark(e.reason);});"
    "document.addEventListener('securitypolicyviolation',function(e){__mark('CSP: '+e.violatedDirective);});"
)
_DONE = (
    "document.documentElement.setAttribute('data-plots',"
    "String(document.querySelectorAll('.js-plotly-plot .main-svg').length));"
    "document.documentElement.setAttribute('data-ready','1');"
)
# No network at all: every script, style and image is inline.
_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:")  # fmt: skip


def esc(value: Any) -> str:
    """HTML-escape any value (``None`` and NaN become empty).

    Examples
    --------
    >>> esc('<b onclick="x">Ana & Bo</b>')
    '&lt;b onclick=&quot;x&quot;&gt;Ana &amp; Bo&lt;/b&gt;'
    >>> esc(None), esc(float("nan"))
    ('', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def fmt(value: Any, digits: int = 3) -> str:
    """A table cell: floats rounded, undefined values as ``-``; escaped.

    Examples
    --------
    >>> fmt(0.12345), fmt(float("nan")), fmt(3), fmt("<x>")
    ('0.123', '-', '3', '&lt;x&gt;')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value + 0.0:.{digits}f}"
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.floating):
            return fmt(float(value), digits)
        if isinstance(value, np.integer):
            return str(int(value))
    except ImportError:  # pragma: no cover
        pass
    return esc(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or type(value).__module__ == "numpy"


def table(
    rows: Any, columns: Sequence[str] | None = None, *, max_rows: int = 50, source: str | None = None
) -> str:
    """An HTML table from a DataFrame or a list of dicts, at most ``max_rows`` rows, all cells escaped.

    Examples
    --------
    >>> table([{"code": "<i>Trust</i>", "n": 2}])
    '<div class="tw"><table><thead><tr><th>code</th><th>n</th></tr></thead><tbody><tr><td>&lt;i&gt;Trust&lt;/i&gt;</td><td class="num">2</td></tr></tbody></table></div>'
    """
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    if columns is None:
        columns = list(rows.columns) if hasattr(rows, "columns") else list(records[0]) if records else []
    if not records:
        return '<p class="note">(none)</p>'
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for record in records[:max_rows]:
        cells = []
        for c in columns:
            value = record.get(c)
            cls = ' class="num"' if _is_number(value) else ""
            cells.append(f"<td{cls}>{fmt(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    out = f'<div class="tw"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    if len(records) > max_rows:
        where = f" (all rows in <code>{esc(source)}</code>)" if source else ""
        out += f'<p class="note">First {max_rows} of {len(records)} rows{where}.</p>'
    return out


def section(anchor: str, title: str, body: str) -> str:
    """A titled section with an anchor for the navigation bar."""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def page(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]], *, plotly_js: str | None) -> str:
    """The whole self-contained page: ``sections`` are ``(anchor, title, body html)``."""
    nav = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t, _ in sections)
    body = "".join(section(a, t, b) for a, t, b in sections)
    script = f"<script>{plotly_js}</script>" if plotly_js else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><script>{_WATCH}</script><style>{_CSS}</style>{script}</head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header><nav>{nav}</nav>"
        f"<main>{body}</main><script>{_DONE}</script></body></html>\n"
    )
