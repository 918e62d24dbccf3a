"""The one place that decides where tensors live: CUDA, else Apple MPS, else CPU."""
from __future__ import annotations

import os
from functools import lru_cache

import torch


@lru_cache(maxsize=None)
def pick_device(prefer: str | None = None) -> torch.device:
    """Return the device the learners run on.

    ``prefer`` (or the ``METAREC_DEVICE`` environment variable) forces one, e.g. ``"cpu"``;
    otherwise the first available of CUDA, MPS and CPU is used.
    """
    prefer = prefer or os.environ.get("METAREC_DEVICE") or None
    if prefer:
        device = torch.device(prefer)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("METAREC_DEVICE asks for CUDA, but no CUDA GPU is available")
        if device.type == "mps" and not _mps_available():
            raise RuntimeError("METAREC_DEVICE asks for MPS, but Apple MPS is not available")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device | None = None) -> str:
    """A short human-readable name, e.g. ``"CUDA GPU (NVIDIA H100 80GB HBM3)"`` or ``"CPU"``."""
    device = device or pick_device()
    if device.type == "cuda":
        return f"CUDA GPU ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return "CPU"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
