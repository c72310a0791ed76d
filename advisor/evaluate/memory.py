"""Peak memory while a block runs: CUDA peak allocation on GPU, resident-set growth on CPU.

On CPU a background thread samples the process's resident set size (``/proc/self/statm``) every few
milliseconds; the metric is the peak minus the size when the block started, so memory already held
by earlier work in the same process is not charged. Where /proc is missing the process's lifetime
peak (``ru_maxrss``) is used instead, which only grows.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from types import TracebackType

__all__ = ["PeakMemory"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_STATM = "/proc/self/statm"


def _rss_bytes() -> int:
    try:
        with open(_STATM) as handle:
            return int(handle.read().split()[1]) * _PAGE
    except OSError:
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


class PeakMemory:
    """Context manager; after the block, `megabytes` is the peak memory growth inside it."""

    def __init__(self, device: str, interval_s: float = 0.005) -> None:
        self.device, self.interval_s, self.megabytes = device, interval_s, 0.0
        self._stop = threading.Event()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._peak = max(self._peak, _rss_bytes())

    def __enter__(self) -> PeakMemory:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._start = torch.cuda.memory_allocated()
            return self
        self._start = self._peak = _rss_bytes()
        self._thread = threading.Thread(target=self._watch, name="advisor-peak-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated()
        else:
            self._stop.set()
            self._thread.join()
            peak = max(self._peak, _rss_bytes())
        self.megabytes = max(0, peak - self._start) / 2**20
