"""Statistics in pure Python (no numpy or scipy), for the paths that must stay light (`recommend`)."""
