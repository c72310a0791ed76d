"""How a measured number is written for people: the one compact rendering every output uses."""

from __future__ import annotations

__all__ = ["number"]


def number(value: float | None) -> str:
    """A compact rendering of a measured number: 4 significant digits, exponent form when very large or small."""
    if value is None:
        return "-"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:.4g}"
