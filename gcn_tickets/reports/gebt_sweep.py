"""GEBT sweep tables of docs/gebt.md: emergence, accuracy per ratio pair, retraining ablation.

Input: the sweep records of ``benchmarks/bench_gebt.py`` (one per dataset and seed:
``{"dataset", "seed", "dense": {"test"}, "rows": [...]}``, a row per (p_g, p_w) as
``gcn_tickets.methods.gebt.search.run_seed`` returns it). Output: markdown lines.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from gcn_tickets.reports.records import mean_std, median_cell, retrain_epochs

__all__ = ["first_records", "epochs_cell", "firing_section", "ratio_section", "ablation_section"]

Record = dict[str, Any]
INITS = ("inherit", "rewind", "reinit")
EDGES = ("binary", "learned")


def first_records(logs: Sequence[Sequence[Record]]) -> list[Record]:
    """One record per (dataset, seed) over all ``logs``: the first one wins."""
    out, seen = [], set()
    for log in logs:
        for r in log:
            if (r["dataset"], r["seed"]) not in seen:
                seen.add((r["dataset"], r["seed"]))
                out.append(r)
    return out


def epochs_cell(records: Sequence[Record]) -> str:
    """The retraining budget(s) of ``records``, e.g. ``"200"`` or ``"100/200"``."""
    return "/".join(str(e) for e in sorted({retrain_epochs(r) for r in records})) or "–"


def _pt(x: float) -> str:
    return "–" if x != x else f"{x:+.1f}"


def _rows(recs: Sequence[Record], pair: tuple[float, float] | None = None) -> list[Record]:
    return [
        x
        for r in recs
        for x in r["rows"]
        if pair is None or (x["graph_sparsity"], x["weight_sparsity"]) == pair
    ]


def firing_section(sweep: Sequence[Record], datasets: Sequence[str]) -> list[str]:
    """Section 1: per dataset, how many runs fire and when (``fired_epoch`` of every row)."""
    lines = [
        "## 1. Emergence: how often and when the detector fires\n",
        "| dataset | seeds | runs | fired | fired % | median epoch | epochs (min–max) | within first 30 % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for ds in datasets:
        recs = [r for r in sweep if r["dataset"] == ds]
        rows = _rows(recs)
        fired = [x["fired_epoch"] for x in rows if x["fired_epoch"] is not None]
        budget = rows[0]["search_epochs"]
        early = sum(1 for e in fired if e <= 0.3 * budget)
        lines.append(
            f"| {ds} | {len(recs)} | {len(rows)} | {len(fired)} | "
            f"{100 * len(fired) / len(rows):.0f} % | {median_cell(fired)} | "
            f"{min(fired) if fired else '–'}–{max(fired) if fired else '–'} | "
            f"{early}/{len(rows)} |"
        )
    return [*lines, ""]


RATIO_INTRO = (
    "EB = early-bird ticket retrained; last = ticket drawn at the last search epoch "
    "(epoch 100), retrained the same way; random = uniformly random edges and weights at "
    "the same sparsities, retrained the same way; random graph = the EB weight mask with "
    "uniformly random edges at p_g (isolates the learned graph mask). "
    "Δ = EB − dense; EB − random in points. "
    "Savings: training MACs (3 × forward per epoch; search epochs on the dense model, "
    "retraining on the ticket) of search-to-emergence + retrain vs search-to-budget + "
    "retrain; inference MACs of the ticket vs dense.\n"
)


def _paired_gap(eb: list[float], other: list[float | None]) -> float:
    """Mean of EB − other in points (NaN when a control is missing)."""
    if None in other:
        return float("nan")
    return statistics.fmean(a - b for a, b in zip(eb, other, strict=True)) * 100  # type: ignore[operator]


def _ratio_row(xs: list[Record], pair: tuple[float, float], dense: list[float]) -> str:
    """One row of a section-2 table: the runs ``xs`` of one (p_g, p_w) pair."""
    pg, pw = pair
    fired = [x["fired_epoch"] for x in xs if x["fired_epoch"] is not None]
    xt = [x for x in xs if x["test"] is not None]
    saved = statistics.fmean(1 - x["train_macs"] / x["train_macs_full_search"] for x in xs)
    inf = statistics.fmean(x["inference_macs"] / x["dense_inference_macs"] for x in xs)
    secs = statistics.fmean(x["search_seconds"] for x in xs)
    head = f"| {pg:.0%} | {pw:.0%} | {len(fired)}/{len(xs)} | {median_cell(fired)} | "
    tail = f"{saved:.0%} | {inf:.0%} of dense | {secs:.1f} |"
    if not xt:
        return head + "not retrained | | | | | | | " + tail
    eb = [x["test"] for x in xt]
    rnd = [x.get("random_test") for x in xt]
    rg = [x.get("random_graph_test") for x in xt]
    return (
        head + f"{mean_std(eb)} (n={len(eb)}) | {mean_std([x.get('last_test') for x in xt])} | "
        f"{mean_std(rnd)} | {mean_std(rg)} | "
        f"{(statistics.fmean(eb) - statistics.fmean(dense)) * 100:+.1f} | "
        f"{_pt(_paired_gap(eb, rnd))} | {_pt(_paired_gap(eb, rg))} | " + tail
    )


def ratio_section(sweep: Sequence[Record], datasets: Sequence[str]) -> list[str]:
    """Section 2: per dataset a table of every (p_g, p_w) pair: EB, last, random, savings."""
    lines = ["## 2. Accuracy per ratio (test %, mean ± std over seeds)\n", RATIO_INTRO]
    for ds in datasets:
        recs = [r for r in sweep if r["dataset"] == ds]
        dense = [r["dense"]["test"] for r in recs if r["dense"]["test"] is not None]
        lines += [
            f"### {ds} (dense {mean_std(dense)} over {len(dense)} seeds; searches: {len(recs)} seeds)\n",
            "| p_g | p_w | fired | median epoch | EB | last | random | random graph | Δ vs dense "
            "| EB − random | EB − random graph | train MACs saved | inference MACs "
            "| search s to EB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        pairs = sorted({(x["graph_sparsity"], x["weight_sparsity"]) for x in _rows(recs)})
        lines += [_ratio_row(_rows(recs, pair), pair, dense) for pair in pairs]
        lines.append("")
    return lines


def ablation_section(sweep: Sequence[Record], datasets: Sequence[str]) -> list[str]:
    """Section 3: the rows' ``ablation`` dicts (``"<init>/<edge weights>"`` -> test)."""
    lines = [
        "## 3. Retraining initialisation and edge weights at p_g = 20 %, p_w = 50 %\n",
        "| dataset | dense | " + " | ".join(f"{i}/{e}" for i in INITS for e in EDGES) + " |",
        "|---|---|" + "---|" * 6,
    ]
    for ds in datasets:
        recs = [r for r in sweep if r["dataset"] == ds]
        abl = [x["ablation"] for x in _rows(recs) if "ablation" in x]
        if not abl:
            continue
        cells = [mean_std([a[f"{i}/{e}"] for a in abl]) for i in INITS for e in EDGES]
        lines.append(f"| {ds} | {mean_std([r['dense']['test'] for r in recs])} | " + " | ".join(cells) + " |")
    return [*lines, ""]
