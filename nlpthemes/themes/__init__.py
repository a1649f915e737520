"""Candidate themes: sentences clustered into themes a qualitative researcher can read.

:class:`ThemeModel` is a scikit-learn style step over sentence embeddings:
the method is sized for the corpus (one interview or a million sentences),
BERTopic supplies c-TF-IDF keywords (stop words include interview fillers;
Korean, Chinese and Japanese get their own tokenizer), outlier reduction and
a hierarchy; each theme has a label, keywords and representative quotes.
:func:`theme_distribution` tells who says what; :func:`load_theme_model`
reads a saved model back so new interviews can be assigned to its themes.

Examples
--------
>>> from nlpthemes.embed import FakeEmbedder
>>> texts = ([f"budget money funding grant {i}" for i in range(12)]
...          + [f"children school family kids {i}" for i in range(12)]
...          + [f"software code computer files {i}" for i in range(12)])
>>> model = ThemeModel().fit(texts, FakeEmbedder().encode(texts))
>>> [(t.id, t.label, t.size) for t in model.themes_]
[(0, 'funding, budget money, grant', 12), (1, 'family, children school, kids', 12), (2, 'computer, code computer, software', 12)]
"""

from nlpthemes.themes._distribution import DISTRIBUTION_COLUMNS, theme_distribution
from nlpthemes.themes._hierarchy import ThemeGroup
from nlpthemes.themes._keywords import CJKAnalyzer, make_vectorizer, stop_word_list
from nlpthemes.themes._model import ThemeModel
from nlpthemes.themes._persist import load_theme_model, save_theme_model
from nlpthemes.themes._quotes import Quote
from nlpthemes.themes._sizing import Plan, plan_for
from nlpthemes.themes._theme import QUOTE_COLUMNS, THEME_COLUMNS, Theme, quotes_table, themes_table

__all__ = [
    "DISTRIBUTION_COLUMNS",
    "QUOTE_COLUMNS",
    "THEME_COLUMNS",
    "CJKAnalyzer",
    "Plan",
    "Quote",
    "Theme",
    "ThemeGroup",
    "ThemeModel",
    "load_theme_model",
    "make_vectorizer",
    "plan_for",
    "quotes_table",
    "save_theme_model",
    "stop_word_list",
    "theme_distribution",
    "themes_table",
]
