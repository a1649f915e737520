"""Root conftest: doctests under nlpthemes/ run offline with a throw-away cache too."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("NLPTHEMES_CACHE_DIR", tempfile.mkdtemp(prefix="nlpthemes-test-cache-"))
