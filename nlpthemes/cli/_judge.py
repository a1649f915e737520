"""CLI options that choose the code suggester's judge (suggest, analyze, fit)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nlpthemes.cli._common import EXIT_USAGE_ERROR, fail
from nlpthemes.cli._options import OptionGroup

__all__ = ["JUDGE", "JUDGE_PIPELINE", "Judge", "JudgeModel", "JudgeUrl", "LearnedThresholds", "judge_options"]

Judge = Annotated[
    str,
    typer.Option("--judge", help="Who reads each sentence with its candidate codes: features (default; fast), "
                 "cross-encoder or setfit (fine-tuned on your codes; slow on a CPU), reranker (ms-marco, English) or llm "
                 "(a local LLM). See `nlpthemes models list`."),
]  # fmt: skip
JudgeModel = Annotated[
    str | None,
    typer.Option("--judge-model", help="The judge's model: an installed model name, a GGUF file (llm), a model "
                 "folder (cross-encoder, setfit), or the model name a --judge-url server expects."),
]  # fmt: skip
JudgeUrl = Annotated[
    str | None,
    typer.Option("--judge-url", help="An OpenAI-compatible server for --judge llm (Ollama, llama.cpp server, "
                 "LM Studio, vLLM), e.g. http://127.0.0.1:11434/v1."),
]  # fmt: skip

LearnedThresholds = Annotated[
    bool,
    typer.Option("--learned-thresholds", help="Decide every sentence with the thresholds learned from your codes. "
                 "By default they adapt to the transcripts decided together (more agreement with coders, but a "
                 "sentence's codes then depend on the other transcripts of the run). `batch` always decides each file with "
                 "the learned thresholds."),
]  # fmt: skip


def judge_options(judge: str, model: str | None, url: str | None, learned_thresholds: bool = False) -> Any:
    """The library's JudgeOptions from CLI values; a bad combination is a usage error (exit 2)."""
    from nlpthemes.suggest import JudgeOptions

    try:
        return JudgeOptions(judge, model, url, adapt=not learned_thresholds).validate()
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE_ERROR) from None


JUDGE = OptionGroup.of(
    ("judging",),
    {"judge": (Judge, "features"), "judge_model": (JudgeModel, None), "judge_url": (JudgeUrl, None),
     "learned_thresholds": (LearnedThresholds, False)},
    lambda v, _: {"judging": judge_options(v["judge"], v["judge_model"], v["judge_url"], v["learned_thresholds"])},
)
"""The judge options (suggest, analyze): the command gets ``judging`` (``JudgeOptions``)."""

JUDGE_PIPELINE = OptionGroup.of(
    ("judging",),
    {"judge": (Judge, "features"), "judge_model": (JudgeModel, None), "judge_url": (JudgeUrl, None)},
    lambda v, _: {"judging": judge_options(v["judge"], v["judge_model"], v["judge_url"])},
)
"""The judge options of ``fit``: no ``--learned-thresholds``, since ``batch`` decides each file
on its own with the learned thresholds whatever the fit was told."""
