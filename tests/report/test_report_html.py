"""The HTML report: every section, escaped user text, offline, and the Excel workbook."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

from nlpthemes.report import ReportData, methods_text, render_report, write_report, write_workbook


def test_every_section_is_there(report_data: ReportData) -> None:
    html = render_report(report_data, embed_plotly=False)
    for anchor in ("overview", "themes", "codebook", "codes", "groups", "agreement", "methods"):
        assert f'<section id="{anchor}">' in html
    for text in ("Theme map", "Hierarchy", "Themes by participant group", "Matched themes",
                 "Themes the codebook does not cover", "Codes no theme supports", "Codes that come up together",
                 "Per code", "Disagreements to discuss", "We analysed 2 transcripts"):
        assert text in html, text


def test_user_text_is_escaped_everywhere(report_data: ReportData) -> None:
    html = render_report(report_data, embed_plotly=False)
    # no raw markup from transcripts: neither as HTML nor inside the plot data
    assert "<script>document.documentElement.setAttribute('data-pwned'" not in html
    assert "<img src=x" not in html and "<img" not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<title>Study &lt;script&gt;</title>" in html
    assert "family &lt;ties&gt;" in html
    # a literal </script> inside a script element would end it early
    body = html.split("</head>", 1)[1]
    assert body.count("<script") == body.count("</script>")


def test_report_is_self_contained(tmp_path: Path, report_data: ReportData) -> None:
    path = write_report(report_data, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert 1_000_000 < len(html) < 8_000_000  # plotly.js embedded once
    assert html.count("Plotly.newPlot") >= 5
    assert "default-src 'none'" in html  # the browser may not fetch anything
    page = render_report(report_data, embed_plotly=False)
    assert not re.search(r"<script[^>]+src=|<link|<iframe|<img|@import|url\(", page)


def test_report_without_codebook_or_agreement(report_data: ReportData) -> None:
    bare = ReportData(title="t", overview=report_data.overview, themes=report_data.themes,
                      quotes=report_data.quotes, comparison_note="only one group in 'group': nothing to compare")
    html = render_report(bare, embed_plotly=False)
    assert "No codebook given." in html and "No human codings given" in html
    assert "only one group in &#x27;group&#x27;: nothing to compare" in html


def test_methods_text_names_the_cross_fitting(report_data: ReportData) -> None:
    text = methods_text(report_data.methods, report_data.overview, report_data.agreement)
    assert "cross-fitted by transcript" in text and "2 folds" in text
    assert "Krippendorff's alpha" in text and "100 resamples, seed 1" in text
    assert "k-means on the sentence embeddings (k = 2)" in text


def test_methods_text_describes_the_judge_where_it_decided(report_data: ReportData) -> None:
    # the machine's codes come from the retriever and, where it decided, the judge: a methods
    # paragraph that described the retriever alone misdescribed them
    adapted = "adapted to the sentences decided"  # as JudgedSuggester.describe says it
    folds = [{"stage": "judge", "passage": {"window": 10, "weight": 0.5}, "thresholds": adapted},
             {"stage": "judge", "passage": {"window": 0, "weight": 0.0}, "thresholds": adapted}]  # fmt: skip
    methods = {**report_data.methods, "suggest_folds": folds}
    text = methods_text(methods, report_data.overview, report_data.agreement)
    assert "A second model, the judge, then re-scored each sentence's best candidate codes" in text
    assert "Platt scaling" in text and "mixed with their mean over the 10 sentences on either side" in text
    assert "estimated from the calibrated probabilities alone" in text and "In 1 of" not in text
    one = [{"stage": "retriever", "passage": {"window": 3, "weight": 0.5}, "thresholds": "learned"}, folds[1]]
    text = methods_text({**methods, "suggest_folds": one}, report_data.overview, report_data.agreement)
    assert "In 1 of 2 folds (in the others the human codes came from one transcript" in text
    assert "In 1 of 2 folds the first suggester decided, its probabilities mixed with their mean over the 3" in text
    # an analysis recorded before the folds were: the retriever's paragraph alone, as then
    text = methods_text(report_data.methods, report_data.overview, report_data.agreement)
    assert "the judge" not in text and "  " not in text


def test_workbook_keeps_text_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "bell\x07 char", None], "n": [1.5, float("nan"), 3]})
    path = write_workbook({"a very long sheet name that Excel would refuse": frame}, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert len(sheet.title) == 31
    assert sheet["A2"].value.startswith("=HYPERLINK") and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "bell char" and sheet["A4"].value is None and sheet["B3"].value is None
