"""Inter-coder agreement that researchers can report.

Pure, keyword-only metric functions on a units x coders table (``None`` or
``NaN`` where a coder did not code a unit), each tested against the published
worked example cited in its docstring; undefined (0/0) values are NaN with an
:class:`UndefinedAgreementWarning` (or an error with ``on_undefined="raise"``),
never a silent 0 or 1. Around them: the long ``unit,coder,code`` format,
sentence / character / document units built from coded spans, seeded bootstrap
intervals over units, and human-human vs human-machine comparisons.

Examples
--------
>>> from nlpthemes.agreement import cohen_kappa, krippendorff_alpha
>>> data = [["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]]
>>> round(cohen_kappa(data), 3), round(krippendorff_alpha(data), 3)
(0.5, 0.533)
"""

from nlpthemes.agreement._bootstrap import METRICS, ConfidenceInterval, bootstrap_ci
from nlpthemes.agreement._characters import character_agreement
from nlpthemes.agreement._compare import (
    compare_coders,
    confusion_matrices,
    disagreement_table,
    pairwise_agreement,
)
from nlpthemes.agreement._files import load_agreement_input, load_character_agreement
from nlpthemes.agreement._krippendorff import krippendorff_alpha, masi_distance
from nlpthemes.agreement._long import (
    NONE_CODE,
    code_presence,
    is_multi_label,
    normalize_long,
    read_long_csv,
    unit_values,
)
from nlpthemes.agreement._multirater import (
    brennan_prediger,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
)
from nlpthemes.agreement._pairwise import cohen_kappa, scott_pi
from nlpthemes.agreement._prepare import parse_categories
from nlpthemes.agreement._ratings import Ratings, as_ratings
from nlpthemes.agreement._summary import AgreementSummary, summarize_agreement
from nlpthemes.agreement._units import document_units, read_codings_csv, sentence_units
from nlpthemes.agreement._validation import UndefinedAgreementError, UndefinedAgreementWarning

__all__ = [
    "METRICS",
    "NONE_CODE",
    "AgreementSummary",
    "ConfidenceInterval",
    "Ratings",
    "UndefinedAgreementError",
    "UndefinedAgreementWarning",
    "as_ratings",
    "bootstrap_ci",
    "brennan_prediger",
    "character_agreement",
    "code_presence",
    "cohen_kappa",
    "compare_coders",
    "confusion_matrices",
    "disagreement_table",
    "document_units",
    "fleiss_kappa",
    "gwet_ac1",
    "is_multi_label",
    "krippendorff_alpha",
    "load_agreement_input",
    "load_character_agreement",
    "masi_distance",
    "normalize_long",
    "pairwise_agreement",
    "parse_categories",
    "percent_agreement",
    "read_codings_csv",
    "read_long_csv",
    "scott_pi",
    "sentence_units",
    "summarize_agreement",
    "unit_values",
]
