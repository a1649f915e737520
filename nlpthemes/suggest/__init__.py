"""Code suggestions for human coders: zero-shot from the codebook, or learned from their codes."""

from nlpthemes.suggest._active import next_to_code
from nlpthemes.suggest._codetext import code_text
from nlpthemes.suggest._model import CodeSuggester
from nlpthemes.suggest._persist import load_suggester, save_suggester
from nlpthemes.suggest._table import SUGGESTION_COLUMNS, suggestion_rows

__all__ = ["SUGGESTION_COLUMNS", "CodeSuggester", "code_text", "load_suggester", "next_to_code", "save_suggester",
           "suggestion_rows"]
