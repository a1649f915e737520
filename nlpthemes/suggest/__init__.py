"""Code suggestions for human coders: zero-shot from the codebook, or learned from their codes."""

from nlpthemes.suggest._active import next_to_code
from nlpthemes.suggest._codetext import code_text
from nlpthemes.suggest._model import CodeSuggester
from nlpthemes.suggest._table import SUGGESTION_COLUMNS, suggestion_rows

__all__ = ["SUGGESTION_COLUMNS", "CodeSuggester", "code_text", "next_to_code", "suggestion_rows"]
