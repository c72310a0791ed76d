"""Per-run torch setup: seeds, thread count and device."""

from __future__ import annotations

import os

import torch

__all__ = ["DEFAULT_THREADS", "setup_torch"]

#: Threads per cell on CPU. One by default, so parallel bench cells do not fight over cores and
#: every family is timed the same way; override with ADVISOR_TORCH_THREADS.
DEFAULT_THREADS = 1


def setup_torch(seed: int, device: str) -> torch.device:
    """Seed torch (CPU and CUDA), fix the CPU thread count, and return the torch device."""
    torch.manual_seed(seed)
    torch.set_num_threads(int(os.environ.get("ADVISOR_TORCH_THREADS", DEFAULT_THREADS)))
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' requested but torch sees no CUDA device")
    return torch.device(device)
