"""Code suggestions for human coders: a retriever proposes codes, a judge reads each pair and decides."""

from nlpthemes.suggest._active import next_to_code
from nlpthemes.suggest._codetext import code_text
from nlpthemes.suggest._judged import JUDGES, JudgedSuggester
from nlpthemes.suggest._model import CodeSuggester
from nlpthemes.suggest._persist import load_suggester, save_suggester
from nlpthemes.suggest._table import SUGGESTION_COLUMNS, suggestion_rows

__all__ = ["JUDGES", "SUGGESTION_COLUMNS", "CodeSuggester", "JudgedSuggester", "code_text", "load_suggester",
           "make_suggester", "next_to_code", "save_suggester", "suggestion_rows"]


def make_suggester(embedder: object, *, judge: str = "features", top_k: int = 3, judge_model: str | None = None,
                   judge_url: str | None = None) -> JudgedSuggester:
    """The default suggester every command uses: retriever + judge (``judge="features"`` by default).

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> make_suggester(FakeEmbedder()).judge
    'features'
    """
    return JudgedSuggester(embedder=embedder, judge=judge, top_k=top_k, judge_model=judge_model, judge_url=judge_url)
