"""Docstrings, comments and docs cite files that exist: a file a sentence points to must be in the repository."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: a path with a folder ("rules/stability.py", "docs/plugins.md") or a document name in capitals ("README.md")
CITED = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)+[\w.-]+\.(?:py|md)|[A-Z][A-Z_]+\.md)\b")
#: a citation of a file outside the repository, said as such
OUTSIDE = ("site-packages/", "../shared/")


def _tracked() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return listed.split()


def test_every_cited_file_exists():
    tracked = _tracked()
    missing = []
    for name in tracked:
        if not name.endswith((".py", ".md")) or name.startswith("tests/fixture"):
            continue
        for line_number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            for cited in CITED.findall(line):
                if any(marker in line for marker in OUTSIDE):
                    continue
                if not any(path == cited or path.endswith("/" + cited) for path in tracked):
                    missing.append(f"{name}:{line_number}: {cited}")
    assert not missing, "cited files that do not exist:\n" + "\n".join(missing)
