"""`advisor serve`: a read-only HTTP API over the results store (FastAPI)."""

from advisor.serve.app import create_app

__all__ = ["create_app"]
