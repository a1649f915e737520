"""Is there a CUDA GPU? Answered without importing torch whenever the answer is plainly no.

Importing torch takes seconds; a run served from the embedding cache should
not pay that just to learn that a laptop has no GPU. torch is asked only
when a GPU is possible: a CUDA or ROCm build of torch on a machine with a
GPU device node (or on Windows, where there are no such nodes to look at).
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

__all__ = ["cuda_available", "cuda_ruled_out"]

_GPU_NODES = ("nvidia[0-9]*", "dxg", "kfd")  # NVIDIA, WSL2's GPU bridge, AMD ROCm


def cuda_ruled_out(torch_version: str | None, *, platform: str = sys.platform, dev: Path = Path("/dev")) -> bool:
    """Whether torch certainly sees no CUDA device, judged from cheap facts alone.

    Examples
    --------
    >>> cuda_ruled_out("2.5.1+cpu"), cuda_ruled_out(None), cuda_ruled_out("2.5.1", platform="darwin")
    (True, True, True)
    >>> cuda_ruled_out("2.5.1", platform="linux", dev=Path("/no/such/dev"))
    True
    >>> cuda_ruled_out("2.5.1", platform="win32")
    False
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return True
    if torch_version is None or "+cpu" in torch_version or platform == "darwin":
        return True
    if platform.startswith("linux"):
        return not any(any(dev.glob(pattern)) for pattern in _GPU_NODES)
    return False


def cuda_available() -> bool:
    """Whether torch would run on a CUDA GPU here (imports torch only when one is possible)."""
    try:
        version: str | None = metadata.version("torch")
    except metadata.PackageNotFoundError:
        version = None
    if cuda_ruled_out(version):
        return False
    import torch

    return bool(torch.cuda.is_available())
