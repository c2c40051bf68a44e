"""Result logs of the benchmarks and the cells of their tables.

A log holds one JSON record per line, appended as each run ends: a killed benchmark keeps
every finished record and, started again, reads the log and skips what is there.
``mean_std`` formats a column of the docs/ tables.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["read_jsonl", "append_jsonl", "read_json", "retrain_epochs", "mean_std", "median_cell"]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Every record of ``path``, one per non-blank line (``[]`` if it does not exist yet)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def append_jsonl(path: str | Path, rec: dict[str, Any]) -> None:
    """Append one record as one line (creating the folder), flushed at once."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(rec) + "\n")
        f.flush()


def read_json(path: str | Path) -> Any:
    """The JSON document at ``path`` (``None`` if it does not exist)."""
    path = Path(path)
    return json.loads(path.read_text()) if path.exists() else None


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


def median_cell(values: list[float]) -> str:
    """The median in ``%g`` form, ``"–"`` for no values (emergence epochs in the tables)."""
    return "–" if not values else f"{statistics.median(values):g}"
