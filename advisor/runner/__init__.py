"""Running bench cells: planning which cells to run, and running them in isolated child processes."""

from advisor.runner.cells import pending_cells, plan_cells, resolve_datasets
from advisor.runner.local import CellResult, DaskExecutor, LocalExecutor

__all__ = ["CellResult", "DaskExecutor", "LocalExecutor", "pending_cells", "plan_cells", "resolve_datasets"]
