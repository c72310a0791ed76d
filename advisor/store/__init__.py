"""The results store: the only package that speaks SQL.

`schema` defines the tables (SQL Core), `read` every query the rest of the advisor asks, `cells`
the bench's writes (claiming, beating, finishing), `models` the ORM classes writers use,
`migrations` the schema upgrades, `status` the `RunStatus` enum.
"""

from advisor.store.engine import Store, default_db, open_store
from advisor.store.schema import SCHEMA_VERSION
from advisor.store.status import RunStatus

__all__ = ["Store", "open_store", "default_db", "SCHEMA_VERSION", "RunStatus"]
