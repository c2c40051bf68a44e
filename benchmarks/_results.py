"""Result logs of the benchmark scripts: one JSON record per line, appended as each run ends.

A killed benchmark keeps every finished record; started again it reads the log and skips
what is there. ``mean_std`` formats a column of the docs/ tables.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every record of ``path`` (``[]`` if it does not exist yet)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def append_jsonl(path: Path, rec: dict[str, Any]) -> None:
    """Append one record as one line (creating the folder), flushed at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(rec) + "\n")
        f.flush()


def retrain_epochs(rec: dict[str, Any]) -> int:
    """Retraining epochs a GEBT record was made with (records older than the field: 100)."""
    return int(rec.get("retrain_epochs", 100))


def mean_std(values: Iterable[float | None], *, scale: float = 100.0, digits: int = 1) -> str:
    """``"mean ± std"`` (unbiased std, 0 for one value) of the non-None values × ``scale``;
    ``"–"`` when there are none."""
    v = [x for x in values if x is not None]
    if not v:
        return "–"
    m = statistics.fmean(v) * scale
    s = statistics.stdev(v) * scale if len(v) > 1 else 0.0
    return f"{m:.{digits}f} ± {s:.{digits}f}"
