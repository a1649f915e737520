"""Code suggestions for human coders: a retriever proposes codes, a judge reads each pair and decides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlpthemes.suggest._active import next_to_code
from nlpthemes.suggest._codetext import code_text
from nlpthemes.suggest._judged import JUDGES, JudgedSuggester
from nlpthemes.suggest._model import CodeSuggester
from nlpthemes.suggest._persist import load_suggester, save_suggester
from nlpthemes.suggest._table import SUGGESTION_COLUMNS, suggestion_rows

__all__ = ["JUDGES", "SUGGESTION_COLUMNS", "CodeSuggester", "JudgeOptions", "JudgedSuggester", "code_text",
           "load_suggester", "make_suggester", "next_to_code", "save_suggester", "suggestion_rows"]


@dataclass(frozen=True)
class JudgeOptions:
    """Which judge reads the retriever's candidates, and where its model is.

    Parameters
    ----------
    judge : str, default="features"
        One of :data:`JUDGES`.
    model : str or None
        An installed model's name, a GGUF file or a model folder (see :class:`JudgedSuggester`).
    url : str or None
        An OpenAI-compatible server for the LLM judge.
    adapt : bool, default=True
        Whether the judge's thresholds adapt to the sentences decided together
        (``JudgedSuggester(adapt_thresholds=...)``); ``False``: the learned thresholds.

    Examples
    --------
    >>> JudgeOptions("llm", url="http://127.0.0.1:8080/v1").validate().judge
    'llm'
    >>> JudgeOptions("gpt").validate()
    Traceback (most recent call last):
    ...
    ValueError: judge must be one of features, cross-encoder, setfit, reranker, llm; got 'gpt'
    """

    judge: str = "features"
    model: str | None = None
    url: str | None = None
    adapt: bool = True

    def validate(self) -> JudgeOptions:
        """Raise ``ValueError`` naming a bad setting; return ``self``."""
        if self.judge not in JUDGES:
            raise ValueError(f"judge must be one of {', '.join(JUDGES)}; got {self.judge!r}")
        if self.url is not None and self.judge != "llm":
            raise ValueError("a judge URL is for the LLM judge (judge='llm')")
        from nlpthemes.suggest._scorers import model_folder_problem

        problem = model_folder_problem(self.judge, self.model)
        if problem is not None:
            raise ValueError(problem)
        return self


def make_suggester(embedder: object, *, top_k: int = 3, judge: JudgeOptions = JudgeOptions(),
                   memory: str | Path | None = None) -> JudgedSuggester:  # fmt: skip
    """The suggester every command uses: the retriever, then the judge (features by default).

    ``memory``: the folder where its fits are kept (see :class:`JudgedSuggester`).

    Examples
    --------
    >>> from nlpthemes.embed import FakeEmbedder
    >>> make_suggester(FakeEmbedder()).judge
    'features'
    """
    judge.validate()
    return JudgedSuggester(embedder=embedder, judge=judge.judge, top_k=top_k, judge_model=judge.model,
                           judge_url=judge.url, adapt_thresholds=judge.adapt, memory=memory)  # fmt: skip
