"""Conversion of what families return (numpy arrays or torch tensors) into checked numpy arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["to_numpy", "InvalidOutput", "checked_samples", "checked_log_prob"]


class InvalidOutput(ValueError):
    """A family returned an array of the wrong shape or with non-finite values."""


def to_numpy(x: Any) -> np.ndarray:
    """A numpy view of `x`, moving a torch tensor off its device first (torch is never imported)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def checked_samples(x: Any, n: int, dims: int) -> np.ndarray:
    """`x` as a float64 (n, dims) array; InvalidOutput if the shape is wrong or a value is not finite."""
    array = to_numpy(x)
    if array.shape != (n, dims):
        raise InvalidOutput(f"sample({n}) returned shape {array.shape}, expected {(n, dims)}")
    array = array.astype(np.float64, copy=False)
    bad = ~np.isfinite(array).all(axis=1)
    if bad.any():
        raise InvalidOutput(f"sample({n}) returned {int(bad.sum())} rows with NaN or inf")
    return array


def checked_log_prob(x: Any, n: int) -> np.ndarray:
    """`x` as a float64 (n,) array of log-densities; InvalidOutput if malformed or not finite."""
    array = to_numpy(x)
    if array.shape != (n,):
        raise InvalidOutput(f"log_prob of {n} rows returned shape {array.shape}, expected {(n,)}")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise InvalidOutput(f"log_prob returned {int((~np.isfinite(array)).sum())} NaN or inf values")
    return array
