"""A small ReportData with hostile transcript text, built from plain tables (no model, no BERTopic)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from nlpthemes.report import ReportData
from nlpthemes.themes import Quote, Theme, ThemeGroup, quotes_table, themes_table

# Would run if the report did not escape transcript text: the browser test looks for data-pwned.
HOSTILE = [
    "</script><script>document.documentElement.setAttribute('data-pwned','script')</script>",
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">",
    "<b>bold</b> & \"quotes\" =HYPERLINK(\"http://example.invalid\")",
]


def _quote(theme: int, rank: int, text: str) -> Quote:
    return Quote(theme=theme, rank=rank, transcript="n1", index=rank, start=0, end=len(text), speaker="P01",
                 similarity=0.9, text=text)


@pytest.fixture()
def report_data() -> ReportData:
    themes = [
        Theme(0, "funding, grant", 6, ("funding", "grant", HOSTILE[0]), 5, (_quote(0, 1, HOSTILE[0]),)),
        Theme(1, "family <ties>", 4, ("family", "ties"), 5, (_quote(1, 1, HOSTILE[1]),)),
    ]
    groups = [ThemeGroup(5, "funding, family", ("funding", "family"), (0, 1), 1, None)]
    theme_table = themes_table(themes, groups, n_outliers=2)
    points = pd.DataFrame({"x": [0.1, 0.2, -0.3, 0.4], "y": [0.0, 0.3, -0.2, 0.1], "theme": [0, 0, 1, -1],
                           "label": ["funding, grant", "funding, grant", "family <ties>", "outliers"],
                           "text": HOSTILE + ["plain"]})
    centres = pd.DataFrame({"x": [0.15, -0.3], "y": [0.15, -0.2], "theme": [0, 1],
                            "label": ["funding, grant", "family <ties>"], "size": [6, 4]})
    dist = pd.DataFrame({"by": "group", "group": ["NK", "NK", "SK"], "theme": [0, 1, 0],
                         "label": ["funding, grant", "family <ties>", "funding, grant"], "count": [2, 4, 4],
                         "share": [0.33, 0.67, 1.0], "theme_share": [0.33, 1.0, 0.67]})
    per_code = pd.DataFrame([
        {"code": "Funding", "kind": "human-human", "coder_a": "A", "coder_b": "B", "n_units": 20, "n_a": 8,
         "n_b": 9, "cohen_kappa": 0.9, "kappa_low": 0.7, "kappa_high": 1.0, "krippendorff_alpha": 0.9,
         "alpha_low": 0.7, "alpha_high": 1.0, "gwet_ac1": 0.92, "percent_agreement": 0.95},
        {"code": "Funding", "kind": "human-machine", "coder_a": "A", "coder_b": "machine", "n_units": 20, "n_a": 8,
         "n_b": 6, "cohen_kappa": 0.5, "kappa_low": 0.2, "kappa_high": 0.8, "krippendorff_alpha": 0.5,
         "alpha_low": 0.2, "alpha_high": 0.8, "gwet_ac1": 0.6, "percent_agreement": 0.8},
        {"code": "Family <x>", "kind": "human-machine", "coder_a": "A", "coder_b": "machine", "n_units": 20,
         "n_a": 3, "n_b": 0, "cohen_kappa": float("nan"), "kappa_low": float("nan"), "kappa_high": float("nan"),
         "krippendorff_alpha": float("nan"), "alpha_low": float("nan"), "alpha_high": float("nan"),
         "gwet_ac1": 0.8, "percent_agreement": 0.85},
    ])
    summary: dict[str, Any] = {"n_pairable_units": 20, "metrics": {"krippendorff_alpha": 0.7, "percent_agreement": 0.9},
                               "ci": {"krippendorff_alpha": [0.5, 0.85]}}
    agreement = {"n_units": 20, "n_coded_transcripts": 2, "folds": 2, "min_coverage": 0.5, "confidence_level": 0.95,
                 "n_resamples": 100, "seed": 1, "human_human": summary, "human_machine": {"A": summary}}
    comparison = pd.DataFrame([{"kind": "code", "source": "human", "group_a": "NK", "group_b": "SK",
                                "item": "Family <x>", "count_a": 5, "total_a": 14, "share_a": 0.36, "count_b": 0,
                                "total_b": 12, "share_b": 0.0, "log_odds_ratio": 2.7, "z": 1.7, "p_value": 0.08,
                                "higher_in": "NK"}])
    return ReportData(
        title="Study <script>", overview={"n_transcripts": 2, "n_participants": 2, "n_sentences": 30,
                                          "n_participant_sentences": 20, "model": "fake-bow-32", "model_hash": "ab" * 32,
                                          "seconds": 3.0, "created": "2026-01-01 10:00", "pseudonymised": True},
        themes=theme_table, quotes=quotes_table(themes), theme_points=points, theme_centres=centres,
        theme_groups=dist, group_column="group",
        matches=pd.DataFrame([{"theme": 0, "theme_label": "funding", "code": "Funding", "level": "leaf",
                               "score": 0.7, "threshold": 0.5}]),
        uncovered=pd.DataFrame([{"theme": 1, "label": "family <ties>", "size": 4, "keywords": "family",
                                 "best_code": "Family <x>", "best_score": 0.4, "quote_1": HOSTILE[1]}]),
        unsupported=pd.DataFrame([{"code": "Trust", "best_theme": 0, "best_score": 0.2}]),
        code_frequencies=pd.DataFrame([{"source": "human", "code": "Funding", "group": "NK", "count": 4, "units": 10,
                                        "share": 0.4}, {"source": "machine", "code": "Funding", "group": "SK",
                                                        "count": 3, "units": 10, "share": 0.3}]),
        cooccurrence=pd.DataFrame([{"source": "human", "code_a": "Family <x>", "code_b": "Funding", "both": 2,
                                    "n_a": 3, "n_b": 4, "jaccard": 0.4, "lift": 1.5, "n_contexts": 10}]),
        comparison=comparison, compared=("NK", "SK"), agreement=agreement, per_code=per_code,
        disagreements=pd.DataFrame([{"between": "human-machine", "code": "Funding", "unit": "n1#3",
                                     "text": HOSTILE[2], "A": "Funding", "machine": "(none)", "machine_score": 0.1}]),
        methods={"version": "0.1", "plan": {"clustering": "kmeans", "k": 2}, "min_words": 3, "n_themes": 2,
                 "outlier_share": 0.1, "n_codes": 3, "match_quantile": 0.95, "match_threshold": 0.5,
                 "suggest_mode": "learned", "seed": 1},
        notes=["skipped <bad>.txt: cannot read"],
    )
