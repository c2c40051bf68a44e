"""Report of a GEBT run folder (``gcn-tickets early-bird``): summary table, summary.json, plot.

A run folder holds ``seed<k>.json`` (``{"dense": {"test"}, "rows": [row per (p_g, p_w)]}``)
and, since the verb writes it, ``config.json`` (the GEBT config: ``dataset``, ``seeds``,
``search_epochs``). ``gebt_pairs`` condenses the rows per ratio pair, ``gebt_summary_text``
is the table the verb prints; cells are mean ± unbiased std over seeds in %.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gcn_tickets.io import atomic_write_text
from gcn_tickets.methods.gebt.runner import summarize_pairs
from gcn_tickets.reports.records import mean_std, read_json

__all__ = ["fmt_pct", "read_gebt_run", "gebt_pairs", "gebt_summary_text", "write_gebt_report"]

Record = dict[str, Any]
SEED_FILE = re.compile(r"seed(\d+)\.json")


def fmt_pct(values: Sequence[float]) -> str:
    """``"mean ± std"`` in % with 2 decimals, ``"-"`` for no values."""
    return mean_std(values, digits=2) if values else "-"


def read_gebt_run(run_dir: str | Path) -> tuple[Record, dict[int, Record]]:
    """(config dict or ``{}``, {seed: record}) of a run folder; seeds in the config's order
    where it lists them, otherwise ascending."""
    run_dir = Path(run_dir)
    found = {int(m.group(1)): f for f in run_dir.glob("seed*.json") if (m := SEED_FILE.fullmatch(f.name))}
    cfg = read_json(run_dir / "config.json") or {}
    order = [s for s in cfg.get("seeds", []) if s in found] + sorted(set(found) - set(cfg.get("seeds", [])))
    return cfg, {s: json.loads(found[s].read_text()) for s in order}


def _pairs_in_order(records: Sequence[Record]) -> list[tuple[float, float]]:
    pairs: list[tuple[float, float]] = []
    for rec in records:
        for r in rec["rows"]:
            if (p := (r["graph_sparsity"], r["weight_sparsity"])) not in pairs:
                pairs.append(p)
    return pairs


def gebt_pairs(records: Sequence[Record]) -> list[Record]:
    """One summary row per (p_g, p_w), in the order the records first list them: runs, fired,
    median emergence epoch, and the test accuracies of the ticket, last-epoch and random
    (:func:`gcn_tickets.methods.gebt.runner.summarize_pairs`, as the run writes it)."""
    return summarize_pairs([r for rec in records for r in rec["rows"]], _pairs_in_order(records))


def gebt_summary_text(
    dataset: str, seeds: Sequence[int], dense: Sequence[float], pairs: Sequence[Record]
) -> str:
    """The summary table ``gcn-tickets early-bird`` prints at its end."""
    lines = [
        f"{dataset}: dense {fmt_pct(dense)} over seeds {list(seeds)}",
        "graph-sp  weight-sp  fired  median-epoch  ticket          last-epoch      random",
    ]
    for row in pairs:
        lines.append(
            f"{row['graph_sparsity']:<9.0%} {row['weight_sparsity']:<10.0%} {row['fired']}/{row['runs']}    "
            f"{row['median_epoch']!s:<12}  {fmt_pct(row['test']):<15} {fmt_pct(row['last_test']):<15} "
            f"{fmt_pct(row['random_test'])}"
        )
    return "\n".join(lines)


def write_gebt_report(run_dir: str | Path, *, plot: bool = True) -> str:
    """Rebuild ``summary.json`` (and ``trajectory.png`` from the first seed's rows) of a GEBT
    run folder; returns the summary table. Raises ``FileNotFoundError`` without seed files."""
    from gcn_tickets.reports.gebt_plots import plot_trajectory

    run_dir = Path(run_dir)
    cfg, recs = read_gebt_run(run_dir)
    if not recs:
        raise FileNotFoundError(f"{run_dir}: no seed<k>.json files of a GEBT run")
    dense = [r["dense"]["test"] for r in recs.values()]
    pairs = gebt_pairs(list(recs.values()))
    atomic_write_text(run_dir / "summary.json", json.dumps({"dense": dense, "pairs": pairs}, indent=1))
    dataset = cfg.get("dataset", run_dir.name)
    first = next(iter(recs))
    if plot and all("trajectory" in r for r in recs[first]["rows"]):
        plot_trajectory(recs[first]["rows"], run_dir / "trajectory.png", f"{dataset} seed {first}")
    return gebt_summary_text(dataset, list(recs), dense, pairs)
