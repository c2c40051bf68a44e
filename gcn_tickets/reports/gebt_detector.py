"""Detector calibration of docs/gebt.md: conventions replayed on recorded runs, distance table.

Every sweep row records, per epoch and group, the raw counts of the mask change
(``row["trajectory"]["stats"][epoch][group]``, the fields of
``gcn_tickets.methods.early_bird.detector.XorStats``); ``replay`` re-runs any
consecutive-pairs detector on them exactly, so these tables need no training.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from gcn_tickets.methods.early_bird import XorStats, replay
from gcn_tickets.reports.records import median_cell

__all__ = ["DETECTORS", "DIST_EPOCHS", "replay_section", "distance_table"]

Record = dict[str, Any]

DETECTORS: list[tuple[str, str, str, float]] = [  # (label, convention, combine, eta)
    ("minority / max / 0.03 (default)", "minority", "max", 0.03),
    ("minority / max / 0.05", "minority", "max", 0.05),
    ("minority / max / 0.1", "minority", "max", 0.1),
    ("pruned / max / 0.02", "pruned", "max", 0.02),
    ("pruned / max / 0.1", "pruned", "max", 0.1),
    ("fraction / max / 0.02", "fraction", "max", 0.02),
    ("fraction / sum / 0.1 (GEBT paper)", "fraction", "sum", 0.1),
    ("first / mean / 0.1 (GEBT code)", "first", "mean", 0.1),
    ("first / sum / 0.1", "first", "sum", 0.1),
    ("fraction / graph / 0.1 (graph only)", "fraction", "graph", 0.1),
]
DIST_EPOCHS = (2, 5, 10, 20, 30, 50, 99)
DIST_PAIRS = ((0.2, 0.5), (0.6, 0.9))

REPLAY_INTRO = (
    "Every run records, per epoch and group, the raw counts (|m ⊕ m'|, n, pruned counts); "
    "`early_bird.replay` re-runs any consecutive-pairs detector on them exactly (FIFO 4). "
    "Fired = share of all runs (datasets × ratios × seeds) that fire within the 100-epoch "
    "budget; median over the runs that fire.\n"
)


def _replay_cell(rows: Sequence[Record], convention: str, combine: str, eta: float) -> str:
    fired = [
        replay(x["trajectory"]["stats"], convention=convention, combine_rule=combine, eta=eta, fifo=4)
        for x in rows
    ]
    ok = [e for e in fired if e is not None]
    return f"{100 * len(ok) / len(rows):.0f} %, {median_cell(ok)}"


def replay_section(sweep: Sequence[Record], datasets: Sequence[str]) -> list[str]:
    """Section 4: fired share and median epoch of each of ``DETECTORS`` on ``datasets``
    (datasets whose runs hold the full trajectories), then the distance table."""
    lines = [
        "## 4. Detector conventions replayed on the same runs\n",
        REPLAY_INTRO,
        "| convention / combine / η | " + " | ".join(f"{d} fired, median epoch" for d in datasets) + " |",
        "|---|" + "---|" * len(datasets),
    ]
    rows = {ds: [x for r in sweep if r["dataset"] == ds for x in r["rows"]] for ds in datasets}
    for label, conv, comb, eta in DETECTORS:
        cells = [_replay_cell(rows[ds], conv, comb, eta) for ds in datasets]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Per-group distance of the mask of epoch e to that of e − 1 (mean over seeds):\n"]
    return lines


def _distance_cells(xs: Sequence[Record], group: str, convention: str) -> list[str]:
    cells = []
    for e in DIST_EPOCHS:
        v = [
            XorStats(*x["trajectory"]["stats"][e - 1][group]).value(convention)
            for x in xs
            if len(x["trajectory"]["stats"]) >= e
        ]
        cells.append(f"{statistics.fmean(v):.3f}" if v else "–")
    return cells


def distance_table(sweep: Sequence[Record], datasets: Sequence[str]) -> list[str]:
    """Mean distance of each epoch's mask to the previous one at ``DIST_EPOCHS``, per dataset,
    pair of ``DIST_PAIRS``, group and convention (``fraction``, ``minority``)."""
    lines = [
        "| dataset | p_g | p_w | group | convention | " + " | ".join(f"ep {e}" for e in DIST_EPOCHS) + " |",
        "|---|---|---|---|---|" + "---|" * len(DIST_EPOCHS),
    ]
    for ds in datasets:
        recs = [r for r in sweep if r["dataset"] == ds]
        for pg, pw in DIST_PAIRS:
            xs = [
                x for r in recs for x in r["rows"] if (x["graph_sparsity"], x["weight_sparsity"]) == (pg, pw)
            ]
            if not xs:
                continue
            for grp in ("graph", "weights"):
                for conv in ("fraction", "minority"):
                    cells = _distance_cells(xs, grp, conv)
                    lines.append(
                        f"| {ds} | {pg:.0%} | {pw:.0%} | {grp} | {conv} | " + " | ".join(cells) + " |"
                    )
    return [*lines, ""]
