"""`advisor report`: a self-contained HTML report with matplotlib figures, read from the store."""

from advisor.report.html import write_report

__all__ = ["write_report"]
