"""Per-run torch setup: seeds, thread count and device."""

from __future__ import annotations

import torch

__all__ = ["setup_torch"]


def setup_torch(seed: int, device: str) -> torch.device:
    """Seed torch (CPU and CUDA), use the harness's threads per cell ($ADVISOR_THREADS), return the device."""
    torch.manual_seed(seed)
    from advisor.evaluate.protocol import cell_threads

    torch.set_num_threads(cell_threads())
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' requested but torch sees no CUDA device")
    return torch.device(device)
