"""Running bench cells: planning which cells to run, and running each one into the store."""

from advisor.runner.cells import CellResult, pending_cells, plan_cells, resolve_datasets, run_cell

__all__ = ["CellResult", "pending_cells", "plan_cells", "resolve_datasets", "run_cell"]
