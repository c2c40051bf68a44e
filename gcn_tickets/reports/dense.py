"""docs/dense_baselines.md: dense 2-layer GCN baselines against the published accuracies.

Input: ``benchmarks/results/dense_planetoid.json`` as ``benchmarks/bench_dense.py`` writes
it, ``{dataset: {seed: {"valid", "test", "best_epoch", "seconds", "params"}}}``.
A dataset passes when its mean test accuracy (%) is at least its acceptance bar.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from gcn_tickets.reports.records import mean_std

__all__ = ["dense_page"]

HEAD = [
    "# Dense GCN baselines (Kipf & Welling settings)",
    "",
    "2 layers, hidden 16, dropout 0.5, Adam lr 0.01, wd 5e-4, 200 epochs, public split, "
    "test accuracy at the best-validation epoch, mean ± unbiased std over seeds 0–9.",
    "Command: `python benchmarks/bench_dense.py`.",
    "",
    "| dataset | test acc (%) | valid acc (%) | seeds | #params | published | acceptance |",
    "|---|---|---|---|---|---|---|",
]


def dense_page(done: Mapping[str, Mapping[str, Any]], published: Mapping[str, tuple[float, float]]) -> str:
    """The text of docs/dense_baselines.md: one row per dataset of ``published``
    (dataset -> (published accuracy %, acceptance bar %)), from the per-seed runs ``done``."""
    lines = list(HEAD)
    for name, (pub, bar) in published.items():
        runs = list(done[name].values())
        tests, valids = [x["test"] for x in runs], [x["valid"] for x in runs]
        ok = "pass" if 100 * statistics.fmean(tests) >= bar else "FAIL"
        lines.append(
            f"| {name} | {mean_std(tests, digits=2)} | {mean_std(valids, digits=2)} | {len(runs)} | "
            f"{runs[0]['params']} | {pub} | ≥ {bar}: {ok} |"
        )
    return "\n".join(lines) + "\n"
