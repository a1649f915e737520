"""The GPU fast path of the sentence-transformers backend, exercised on the CPU.

On a CUDA machine the fast path is the default (fp16); here it is forced on
the CPU in fp32, which checks the wiring and the maths against plain
``SentenceTransformer.encode``: same vectors, same row order, repeated texts
embedded once, cache chunks sized by the backend.
"""

from __future__ import annotations

import numpy as np
import pytest

from nlpthemes.embed import CachedEmbedder
from nlpthemes.embed._gpu import GpuEncoder
from nlpthemes.embed._st import SentenceTransformerEmbedder

SENTENCES = [
    "We never had enough funding for the outreach programme.",
    "Trust between the families and the social workers took years.",
    "Yes.",
    "The volunteers came from the church, mostly older women who had time in the afternoons.",
    "We never had enough funding for the outreach programme.",
]


def _backend(real_embedder, **params):  # type: ignore[no-untyped-def]
    return SentenceTransformerEmbedder(model_path=real_embedder.model_path, spec=real_embedder.spec, **params)


@pytest.mark.slow
def test_fast_path_matches_plain_encode(real_embedder) -> None:  # type: ignore[no-untyped-def]
    fast = _backend(real_embedder, device="cpu", fast_path=True)
    plain = _backend(real_embedder, device="cpu", fast_path=False)
    try:
        got, want = fast.encode(SENTENCES), plain.encode(SENTENCES)
        assert isinstance(fast._model, GpuEncoder) and not isinstance(plain._model, GpuEncoder)
        assert got.shape == want.shape == (5, 384)
        cosine = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
        assert cosine.min() > 0.9999
        assert np.array_equal(got[0], got[4])
        assert fast.info()["fast_path"] == {"precision": "fp32", "batch_tokens": 131072}
        assert "fast_path" not in plain.info()
    finally:
        fast._model.close()


def test_fast_path_is_off_on_the_cpu_by_default(real_embedder) -> None:  # type: ignore[no-untyped-def]
    backend = _backend(real_embedder, device="cpu")
    assert backend.preferred_chunk() == 1024
    assert _backend(real_embedder, device="cpu", fast_path=True).preferred_chunk() == 65_536


def test_cache_takes_the_backends_chunk_size(real_embedder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []

    class Recording(SentenceTransformerEmbedder):
        def _encode_chunk(self, texts):  # type: ignore[no-untyped-def]
            seen.append(len(texts))
            return np.zeros((len(texts), 384), dtype=np.float32)

        def preferred_chunk(self) -> int:
            return 2

        def _load_model(self):  # type: ignore[no-untyped-def]
            return object()

    inner = Recording(model_path=real_embedder.model_path, spec=real_embedder.spec, device="cpu")
    CachedEmbedder(embedder=inner, cache_dir=tmp_path).encode([f"sentence {i}" for i in range(5)])
    assert sum(seen) == 5 and max(seen) <= 2


def test_models_the_fast_path_cannot_reproduce_keep_plain_encode(real_embedder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import shutil

    from nlpthemes.embed._gpu import fast_path_supported

    assert fast_path_supported(real_embedder.model_path)
    folder = tmp_path / "with_dense"
    shutil.copytree(real_embedder.model_path, folder)
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (folder / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    assert not fast_path_supported(folder)
    assert SentenceTransformerEmbedder(model_path=folder, fast_path=True).preferred_chunk() == 1024
    (folder / "modules.json").write_text(json.dumps([m for m in modules if m["path"] != "2_Dense"]), encoding="utf-8")
    (folder / "tokenizer.json").unlink()  # a slow tokenizer only
    assert not fast_path_supported(folder)
