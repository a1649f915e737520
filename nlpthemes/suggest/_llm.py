"""The LLM judge: a local language model asked which candidate code fits a sentence.

The prompt starts with the codebook (the same for every sentence, so llama.cpp reuses it
from its cache), then the coder's most similar coded sentences as examples (retrieved, not
random), the sentence in its context and the lettered candidate codes. The answer is never
parsed from free text: the probability of each option letter is read from the model's
next-token log-probabilities (llama.cpp in this process, or an OpenAI-compatible server on
``/v1/chat/completions`` with ``logprobs``); a server that gives no log-probabilities must
answer through a JSON schema whose only values are the letters.

Backends: :class:`LlamaCppBackend` (a GGUF file; ``pip install "nlpthemes[llm]"``) and
:class:`OpenAIBackend` (Ollama, llama.cpp server, LM Studio, vLLM ... at a URL the user gives).
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from nlpthemes.errors import InputError

__all__ = ["LETTERS", "LlamaCppBackend", "LlmBackend", "OpenAIBackend", "Question", "build_messages", "system_prompt"]

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXY"
NONE_LETTER = "Z"


@dataclass(frozen=True)
class Question:
    """One sentence to judge: its text in context, the candidate code names, and examples.

    ``examples`` are ``(sentence, code names)`` pairs from the coder's own coding.
    """

    sentence: str
    candidates: tuple[str, ...]
    examples: tuple[tuple[str, tuple[str, ...]], ...] = ()


def system_prompt(codebook_lines: Sequence[str]) -> str:
    """The fixed start of every prompt: the task and the whole codebook.

    Examples
    --------
    >>> print(system_prompt(["Trust: trust between NGOs"]).splitlines()[-1])
    - Trust: trust between NGOs
    """
    return (
        "You are a careful qualitative researcher coding interview transcripts with a codebook. "
        "For the sentence marked >> <<, answer with the letter of the code that best applies, "
        f"or {NONE_LETTER} if none of the listed codes applies. Answer with one letter only.\n\n"
        "Codebook:\n" + "\n".join(f"- {line}" for line in codebook_lines)
    )


def build_messages(system: str, question: Question) -> list[dict[str, str]]:
    """Chat messages for one question (system prompt first, so it is a shared prefix).

    Examples
    --------
    >>> m = build_messages("S", Question("I >> trust << them", ("Trust", "Money"), (("we trust", ("Trust",)),)))
    >>> print(m[1]["content"])
    Coded examples:
    - we trust -> Trust
    <BLANKLINE>
    Sentence: I >> trust << them
    Options:
    A. Trust
    B. Money
    Z. none of these
    Answer:
    """
    if len(question.candidates) > len(LETTERS):
        raise ValueError(f"at most {len(LETTERS)} candidate codes per question")
    lines = []
    if question.examples:
        lines.append("Coded examples:")
        lines += [f"- {text} -> {', '.join(codes) if codes else 'none'}" for text, codes in question.examples]
        lines.append("")
    lines.append(f"Sentence: {question.sentence}")
    lines.append("Options:")
    lines += [f"{LETTERS[i]}. {name}" for i, name in enumerate(question.candidates)]
    lines.append(f"{NONE_LETTER}. none of these")
    lines.append("Answer:")
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


def _softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    z = logits - logits.max()
    p = np.exp(z)
    return np.asarray(p / p.sum(), dtype=np.float64)


class LlmBackend(Protocol):
    """Anything that gives the probability of each option letter for chat messages."""

    def option_probabilities(self, messages: list[dict[str, str]], letters: str) -> NDArray[np.float64]:
        """Probabilities (summing to 1) of the next answer being each of ``letters``."""
        ...

    def describe(self) -> dict[str, Any]:
        """What a manifest records about the model."""
        ...


class LlamaCppBackend:
    """A GGUF model run by llama.cpp in this process, with the shared prompt prefix kept in cache.

    Parameters
    ----------
    model_path : str or Path
        The GGUF file.
    n_ctx : int, default=8192
        Context length (the codebook plus one question must fit).
    threads : int, default=0
        CPU threads (0: llama.cpp's default).
    gpu_layers : int, default=-1
        Layers offloaded to a GPU when llama.cpp was built with GPU support (-1: all).
    """

    def __init__(self, *, model_path: str | Path, n_ctx: int = 8192, threads: int = 0, gpu_layers: int = -1) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.threads = threads
        self.gpu_layers = gpu_layers

    def _load(self) -> Any:
        if getattr(self, "_llm", None) is None:
            path = Path(self.model_path)
            if not path.is_file():
                raise InputError(path, "no such GGUF model file")
            try:
                from llama_cpp import Llama
                from llama_cpp.llama_chat_format import Jinja2ChatFormatter
            except ImportError as exc:
                raise InputError(None, "the LLM judge runs llama.cpp: pip install 'nlpthemes[llm]' "
                                       "(or give --judge-url of a running server)") from exc  # fmt: skip
            try:
                llm = Llama(model_path=str(path), n_ctx=self.n_ctx, n_threads=self.threads or None,
                            n_gpu_layers=self.gpu_layers, verbose=False, seed=0)  # fmt: skip
            except (ValueError, RuntimeError) as exc:
                raise InputError(path, f"llama.cpp could not load this model ({exc})") from None
            template = llm.metadata.get("tokenizer.chat_template")
            if not template:
                raise InputError(path, "the GGUF has no chat template; give a chat (instruct) model")
            eos = llm.detokenize([llm.token_eos()]).decode("utf-8", "ignore")
            bos = llm.detokenize([llm.token_bos()]).decode("utf-8", "ignore") if llm.token_bos() >= 0 else ""
            self._formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
            self._llm = llm
            self._letter_ids: dict[str, int] = {}
        return self._llm

    def _letter_id(self, letter: str) -> int:
        if letter not in self._letter_ids:
            ids = self._llm.tokenize(letter.encode(), add_bos=False, special=False)
            if len(ids) != 1:
                raise InputError(Path(self.model_path), f"the tokenizer splits the option letter {letter!r}")
            self._letter_ids[letter] = ids[0]
        return self._letter_ids[letter]

    def option_probabilities(self, messages: list[dict[str, str]], letters: str) -> NDArray[np.float64]:
        """Softmax over the option letters of the next-token logits after the prompt."""
        import llama_cpp

        llm = self._load()
        prompt = self._formatter(messages=messages).prompt  # type: ignore[arg-type]
        tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        if len(tokens) >= llm.n_ctx():
            raise InputError(Path(self.model_path), f"a prompt of {len(tokens)} tokens does not fit the context "
                                                    f"of {llm.n_ctx()}; use fewer codes or a larger n_ctx")  # fmt: skip
        cached = llm.input_ids[: llm.n_tokens].tolist()
        keep = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            keep += 1
        keep = min(keep, len(tokens) - 1)  # evaluate at least one token to get fresh logits
        llm.n_tokens = keep
        llm.eval(tokens[keep:])
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),))
        return _softmax(np.array([logits[self._letter_id(x)] for x in letters], dtype=np.float64))

    def describe(self) -> dict[str, Any]:
        """Model file and runtime."""
        from importlib.metadata import version

        return {"backend": "llama.cpp", "model": str(self.model_path), "llama_cpp_python": version("llama-cpp-python")}


class OpenAIBackend:
    """An OpenAI-compatible chat server (Ollama, llama.cpp server, LM Studio, vLLM).

    Parameters
    ----------
    url : str
        The API root, e.g. ``http://127.0.0.1:11434/v1``.
    model : str, default=""
        The model name the server expects (some servers ignore it).
    timeout : float, default=120
        Seconds to wait for one answer.
    api_key : str, default=""
        Sent as a bearer token when given (local servers rarely need one).
    """

    def __init__(self, *, url: str, model: str = "", timeout: float = 120.0, api_key: str = "") -> None:
        self.url = url
        self.model = model
        self.timeout = timeout
        self.api_key = api_key

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(endpoint, data=json.dumps(body).encode("utf-8"), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - the user's URL
                data: dict[str, Any] = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:200]
            raise InputError(None, f"{endpoint}: the LLM server answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise InputError(None, f"{endpoint}: no LLM server answers there ({exc})") from None
        except json.JSONDecodeError:
            raise InputError(None, f"{endpoint}: the LLM server did not answer with JSON") from None
        return data

    def option_probabilities(self, messages: list[dict[str, str]], letters: str) -> NDArray[np.float64]:
        """From the top log-probabilities of the first answer token; else a schema-constrained answer."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": 1, "temperature": 0,
                                "logprobs": True, "top_logprobs": 20}  # fmt: skip
        if not getattr(self, "_no_logprobs", False):
            data = self._post(body)
            try:
                top = data["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            except (KeyError, IndexError, TypeError):
                top = None
            if top:
                logits = np.full(len(letters), -np.inf)
                for entry in top:
                    token = str(entry.get("token", "")).strip()
                    if len(token) == 1 and token in letters:
                        i = letters.index(token)
                        logits[i] = max(logits[i], float(entry.get("logprob", -np.inf)))
                floor = min((v for v in logits if math.isfinite(v)), default=0.0) - 5.0
                return _softmax(np.where(np.isfinite(logits), logits, floor))
            self._no_logprobs = True
        schema = {"type": "object", "properties": {"answer": {"type": "string", "enum": list(letters)}},
                  "required": ["answer"], "additionalProperties": False}  # fmt: skip
        constrained = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": 20,
                       "response_format": {"type": "json_schema",
                                           "json_schema": {"name": "code", "schema": schema, "strict": True}}}  # fmt: skip
        data = self._post(constrained)
        try:
            answer = json.loads(data["choices"][0]["message"]["content"])["answer"]
        except (KeyError, IndexError, TypeError, json.JSONDecodeError):
            raise InputError(None, f"{self.url}: the server gives neither log-probabilities nor a JSON-schema "
                                   "answer; use a server that supports one of them") from None  # fmt: skip
        if answer not in letters:
            raise InputError(None, f"{self.url}: the server ignored the answer schema ({answer!r})")
        out = np.full(len(letters), 1e-3)
        out[letters.index(answer)] = 1.0
        return np.asarray(out / out.sum(), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        """Server URL and model name."""
        return {"backend": "openai-compatible", "url": self.url, "model": self.model}


def option_scores(backend: LlmBackend, system: str, questions: Sequence[Question]) -> list[NDArray[np.float64]]:
    """For each question, the probability of each candidate and, last, of "none of these"."""
    out = []
    for question in questions:
        letters = LETTERS[: len(question.candidates)] + NONE_LETTER
        out.append(backend.option_probabilities(build_messages(system, question), letters))
    return out
