"""The results store: SQLAlchemy models, opening and checking a store, and its queries."""

from advisor.store.engine import Store, default_db, open_store
from advisor.store.models import RUN_STATUSES, SCHEMA_VERSION

__all__ = ["Store", "open_store", "default_db", "SCHEMA_VERSION", "RUN_STATUSES"]
