"""Reports of an analysis: one self-contained HTML file, and an Excel workbook.

Reporting functions take results (tables and dicts), never fitted models.
The HTML report works offline: plotly.js is embedded from the installed
plotly package, a Content-Security-Policy forbids any network access, and
every piece of transcript text is HTML-escaped.
"""

from nlpthemes.report._data import ReportData
from nlpthemes.report._methods import methods_text, theme_method
from nlpthemes.report._render import render_report, write_report
from nlpthemes.report._workbook import write_workbook

__all__ = ["ReportData", "methods_text", "render_report", "theme_method", "write_report", "write_workbook"]
