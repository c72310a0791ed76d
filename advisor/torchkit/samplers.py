"""Resolving the sampler a caller names against the samplers a family offers."""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["resolve_sampler"]


def resolve_sampler(sampler: str, offered: Collection[str], default: str) -> str:
    """The sampler `sampler` names: `default` for "default"; ValueError listing `offered` for an unknown one."""
    name = default if sampler == "default" else sampler
    if name not in offered:
        raise ValueError(f"unknown sampler {sampler!r}; this family offers {sorted(offered)}")
    return name
