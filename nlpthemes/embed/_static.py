"""Static embeddings distilled from the packaged model (model2vec): a fast mode.

model2vec's ``distill`` runs every token of the model's vocabulary through
the model once, reduces the vectors with PCA and weights them by token
frequency; a sentence's vector is then the mean of its tokens' vectors, a
table look-up instead of a transformer. Distilling takes a few minutes once
(offline, from the verified packaged weights); the result is kept in the
nlpthemes cache folder. Vectors differ from the transformer's: check what
the speed costs in coding quality with ``evaluation/bench_batch.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from nlpthemes.embed._derived import derived_folder, ensure_built
from nlpthemes.embed._resolve import set_offline
from nlpthemes.embed._st import SentenceTransformerEmbedder
from nlpthemes.errors import InputError

__all__ = ["StaticEmbedder", "distill_static"]

PCA_DIMS = 256
_RECIPE = f"model2vec distill pca_dims={PCA_DIMS} float16 v1"


def _missing() -> InputError:
    return InputError(None, "the static fast mode needs model2vec and skeletoken: pip install model2vec skeletoken "
                            "(or pip install 'nlpthemes[fast]')")  # fmt: skip


def distill_static(model_path: Path, target: Path) -> dict[str, Any]:
    """Distil ``model_path`` into a model2vec folder ``target``; returns what was done."""
    set_offline()
    try:
        from model2vec.distill import distill
    except ImportError:
        raise _missing() from None
    model = distill(str(model_path), pca_dims=PCA_DIMS)
    model.save_pretrained(str(target))
    return {"recipe": _RECIPE, "source": str(model_path)}


class StaticEmbedder(SentenceTransformerEmbedder):
    """Static token vectors distilled from a sentence-transformers model (model2vec).

    Parameters are those of :class:`SentenceTransformerEmbedder`;
    ``batch_size`` is the number of sentences per look-up batch.
    """

    backend = "static"
    libraries = ("model2vec", "tokenizers", "torch", "transformers")
    cpu_only: ClassVar[bool] = True

    @property
    def derived_path(self) -> Path:
        """The distilled model's folder (built on first use)."""
        return derived_folder(self.backend, self.model_hash, _RECIPE, ("model2vec", "torch", "transformers"))

    def _fingerprint_parts(self) -> list[str]:
        return [*super()._fingerprint_parts(), f"recipe:{self.derived_path.name}"]

    def _load_model(self) -> Any:
        try:
            from model2vec import StaticModel
        except ImportError:
            raise _missing() from None
        folder = ensure_built(
            self.derived_path, lambda tmp: distill_static(Path(self.model_path), tmp),
            what=f"static vectors distilled from {self.name} (a few minutes)", quiet=not self.progress,
        )  # fmt: skip
        self._device = "cpu"
        return StaticModel.from_pretrained(str(folder))

    def _model_dimension(self) -> int:
        if getattr(self, "_model", None) is None:
            self._model = self._load_model()
        return int(self._model.dim)

    def _encode_chunk(self, texts: list[str]) -> Any:
        return self._model.encode(texts, batch_size=max(self.batch_size, 1024), show_progress_bar=False,
                                  use_multiprocessing=False)  # fmt: skip

    def _runtime(self) -> dict[str, Any]:
        return {"device": "cpu", "distilled": str(self.derived_path), "pca_dims": PCA_DIMS}
