"""GEBT against other tickets in docs/gebt.md: time to a ticket vs UGS, η = 0.1, the CNN.

Inputs are the records of ``benchmarks/bench_gebt.py`` (``gebt_vs_ugs.jsonl``: one per
dataset, seed and method, with ``test``, ``seconds``, ``epochs`` and, for GEBT, the
``anytime`` curve [[seconds, test at best validation so far], ...]) and of
``benchmarks/bench_gebt_cnn.py``. Output: markdown lines.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from gcn_tickets.reports.records import mean_std, median_cell

__all__ = ["reach_seconds", "vs_ugs_section", "eta_section", "cnn_section"]

Record = dict[str, Any]
METHODS = ("gebt", "gebt-paper", "ugs-reference", "ugs-improved")


def reach_seconds(records: Sequence[Record], target: float) -> float | None:
    """Mean over ``records`` of the first time their anytime metric reaches ``target``
    (None if a record never does, or has no anytime curve)."""
    times = []
    for r in records:
        hit = [t for t, m in r.get("anytime", []) if m >= target]
        if not hit:
            return None
        times.append(hit[0])
    return statistics.fmean(times)


def _vs_intro(rounds: int, retrain: str) -> str:
    return (
        f"UGS: {rounds} rounds (5 % edges, 20 % weights per round → "
        f"{1 - 0.95**rounds:.2%} / {1 - 0.8**rounds:.2%}), 200 search + final 200 "
        "retraining epochs, same GCN and optimiser settings as GEBT; `reference` = the "
        "published recipe, `improved` = the toolkit's fixed variant (ugs.py). GEBT: one "
        f"search stopped at emergence + {retrain} retraining epochs at the same sparsities; "
        "`gebt` = the shipped configs (edges ranked by |s|·(1/d_u + 1/d_v), labelled edges "
        "last; UGS `improved` ranks its edges with the same prior), `gebt-paper` = the "
        "paper's |s|. Wall-clock end to end (search + retrain), same benchmark run; the last "
        "three columns compare `gebt` with each row, the last one by the time `gebt` takes "
        "(search + retraining epochs, mean over seeds) until the test metric at its best "
        "validation so far first comes within 1 point of the row's mean.\n"
    )


def _vs_rows(vs: Sequence[Record], ds: str) -> list[str]:
    g = [r for r in vs if r["dataset"] == ds and r["method"] == "gebt"]
    if not g:
        return []
    gt = statistics.fmean(r["seconds"] for r in g)
    gacc = statistics.fmean(r["test"] for r in g)
    lines = []
    for method in METHODS:
        rs = [r for r in vs if r["dataset"] == ds and r["method"] == method]
        if not rs:
            continue
        t = statistics.fmean(r["seconds"] for r in rs)
        acc = statistics.fmean(r["test"] for r in rs)
        ratio, gap, reach = "", "", ""
        if method != "gebt":
            ratio, gap = f"{gt / t:.3f}", f"{100 * (gacc - acc):+.1f}"
            hit = reach_seconds(g, acc - 0.01)
            reach = "not reached" if hit is None else f"{hit / t:.3f} ({hit:.1f} s)"
        lines.append(
            f"| {ds} | {method} | {len(rs)} | {mean_std([r['test'] for r in rs])} | {t:.1f} | "
            f"{statistics.fmean(r['epochs'] for r in rs):.0f} | {ratio} | {gap} | {reach} |"
        )
    return lines


def vs_ugs_section(vs: Sequence[Record], datasets: Sequence[str], *, rounds: int, retrain: str) -> list[str]:
    """Section 5: per dataset and method, test, wall-clock, and ``gebt``'s time against each row
    (``rounds`` UGS rounds; ``retrain`` = GEBT's retraining budget as printed)."""
    if not vs:
        return []
    lines = [
        "## 5. Time to a ticket: GEBT vs UGS at the same sparsities\n",
        _vs_intro(rounds, retrain),
        "| dataset | method | seeds | test | wall-clock s | epochs | gebt time / this "
        "| gebt − this (points) | gebt time to this − 1 point / this |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for ds in datasets:
        lines += _vs_rows(vs, ds)
    return [*lines, ""]


ETA_INTRO = (
    "Same searches (deterministic per seed), EB tickets retrained at the epoch where each "
    "threshold fires; last = the epoch-100 ticket. Mean over 5 seeds, all 4 graph ratios. "
    "Both columns retrained 100 epochs (made before the switch to 200; results in "
    "`benchmarks/results/gebt_eta0.1_cora.jsonl` and `retrain100/`).\n"
)


def eta_section(old: Sequence[Record], cur: Sequence[Record]) -> list[str]:
    """Section 6: Cora sweep with η = 0.1 (``old``) against η = 0.03 (``cur``), per p_w."""
    if not old or not cur:
        return []
    lines = [
        "## 6. Why η = 0.03 with `minority`: the same Cora sweep with η = 0.1\n",
        ETA_INTRO,
        "| p_w | η = 0.1: median epoch | η = 0.1: EB | η = 0.03: median epoch | η = 0.03: EB | last |",
        "|---|---|---|---|---|---|",
    ]
    for pw in (0.5, 0.7, 0.9):
        a = [x for r in old for x in r["rows"] if x["weight_sparsity"] == pw]
        b = [x for r in cur for x in r["rows"] if x["weight_sparsity"] == pw and x["test"] is not None]
        if not a or not b:
            continue
        lines.append(
            f"| {pw:.0%} | {median_cell([x['fired_epoch'] for x in a if x['fired_epoch']])} | "
            f"{mean_std([x['test'] for x in a])} | "
            f"{median_cell([x['fired_epoch'] for x in b if x['fired_epoch']])} | "
            f"{mean_std([x['test'] for x in b])} | {mean_std([x['last_test'] for x in b])} |"
        )
    return [*lines, ""]


CNN_INTRO = (
    "`benchmarks/bench_gebt_cnn.py`: 3-conv CNN (16/32/32 channels, BatchNorm) on "
    "scikit-learn's digits (stratified 60/20/20 train/val/test, reshuffled per seed), SGD "
    "lr 0.05, 30 epochs, L1 1e-3 on γ during the search; detector defaults (minority, "
    "η = 0.03, FIFO 4) on the channel mask, one global threshold or one ratio per layer. "
    "EB = ticket at emergence with inherited weights, trained for the rest of the 30 "
    "epochs; last = the channel mask of epoch 30 on the fully searched model, trained for "
    "the same epochs; random = random channels, trained 30 epochs; dense = 30 epochs. "
    "Training: cosine schedule, test at the best-validation epoch. Channels kept = per "
    "layer, in the first seed's EB ticket. Time = search to emergence + ticket training, "
    "against the dense training.\n"
)


def _cnn_row(rs: list[Record], p: float, scope: str) -> str:
    fe = [r["fired_epoch"] for r in rs if r["fired_epoch"] is not None]
    ratio = statistics.median(r["eb_seconds"] / r["dense_seconds"] for r in rs)
    return (
        f"| {p:.0%} | {scope} | {len(fe)}/{len(rs)} | {median_cell(fe)} | "
        f"{'/'.join(map(str, rs[0]['kept_per_layer']))} | "
        f"{mean_std([r['eb_test'] for r in rs])} | "
        f"{mean_std([r['last_test'] for r in rs])} | "
        f"{mean_std([r['random_test'] for r in rs])} | "
        f"{mean_std([r['dense_test'] for r in rs])} | {ratio:.2f} |"
    )


def cnn_section(cnn: Sequence[Record]) -> list[str]:
    """Section 7: EB channel tickets of the digits CNN, per channel sparsity and threshold scope."""
    if not cnn:
        return []
    lines = [
        "## 7. The same detector on a CNN: EB channel tickets on digits\n",
        CNN_INTRO,
        "| channel sparsity | threshold scope | fired | median epoch | channels kept (16/32/32) "
        "| EB | last | random | dense | EB time / dense time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in sorted({r["sparsity"] for r in cnn}):
        for sc in ("global", "layer"):
            rs = sorted((r for r in cnn if r["sparsity"] == p and r["scope"] == sc), key=lambda r: r["seed"])
            if rs:
                lines.append(_cnn_row(rs, p, sc))
    return [*lines, ""]
