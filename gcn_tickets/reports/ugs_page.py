"""docs/ugs.md: the UGS page (modes, gradient reach, heterophily, results, ablations).

Pure functions of the UGS result files: run summaries (``summarize_run`` of a run folder),
the rows of ``benchmarks/results/ugs_reach.json`` (``benchmarks/bench_ugs_reach.py``), the
heterophily shares of ``benchmarks/results/ugs_heterophily.json`` and the PubMed round
results (``round_*.result.json``). ``benchmarks/ugs_doc.py`` reads them and writes the page.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from gcn_tickets.config import UGS_MODES
from gcn_tickets.reports.ugs import ugs_table, verdicts

__all__ = [
    "reach_table",
    "heterophily_lines",
    "results_lines",
    "merge_improved",
    "pubmed_lines",
    "ugs_page",
]

Record = dict[str, Any]

INTRO = """# UGS: joint graph-and-weight tickets

`gcn_tickets.methods.ugs.search` implements Unified GNN Sparsification (Chen et al., ICML 2021) as in
`ALGORITHMS.md` section 1, in two named modes, always beside the random-pruning control on
the same schedule (5 % of the remaining edges and 20 % of the remaining weights per round,
one global threshold each, exact counts, rewind to Θ0, retrain with frozen masks, test at the
best validation epoch). This page is written by `python benchmarks/ugs_doc.py` from the
result files.

{modes_table}

Why `improved`: under Adam every mask coordinate moves by about one learning-rate step per
iteration whatever its gradient, so coordinates with weak or no gradient drift alike and end
up ranked by their initial noise; and a 2-layer GCN trained on the public split sends no
gradient at all to the edges outside the labelled nodes' 2-hop receptive field. The fix:
masks on plain SGD, so a mask moves in proportion to its accumulated gradient, with a
proximal L1 step instead of the sign sub-gradient; and a cross-entropy on the pseudo-labels
of confidently predicted unlabelled nodes, which reaches the edges and weights around every
such node. Measured (`python benchmarks/bench_ugs_reach.py`, round-1 search from Θ0, 60
epochs; `unreached` = zero gradient from the task loss at Θ0, `never reached` = zero loss
gradient in every step of the search):
"""
MODES = [
    ["mode", "mask optimiser", "L1", "extra loss", "ranking"],
    ["---"] * 5,
    [
        "`reference`",
        "one Adam over weights and masks (weight decay on both)",
        "sign sub-gradient γ·sign(m)",
        "—",
        "\\|m_g\\|, \\|m_θ\\|",
    ],
    [
        "`improved`",
        "weights: Adam; masks: SGD (momentum 0.9, lr 1, no decay)",
        "proximal (soft-threshold, 1e-4 per step)",
        "0.5 × CE on pseudo-labels of unlabelled nodes with softmax ≥ 0.9",
        "\\|m_g\\|·(1/d_u + 1/d_v), \\|m_θ\\|",
    ],
    ["`random`", "—", "—", "—", "uniform over kept entries"],
]
TV_NOTE = """An edge term that pushes down edges whose endpoints are predicted differently
(m_e·TV(p_u, p_v), the total variation of the detached class probabilities) was the obvious
way to reach every edge, and it does pick heterophilous edges (46–70 % of those it pruned in
round 1 on Cora, against 19 % overall), yet its tickets lost to random edges (its table is in
the ablations below). Re-scoring the edges of a trained dense Cora model (3 seeds, 5 % of the
edges pruned, 20 % random weights, retrained 60 epochs): pruning the top-TV edges gave 80.97
against 81.50 for random edges, although 70 % of them are heterophilous; pruning the truly
heterophilous edges (an oracle) gave 83.5 and pruning only homophilous ones 81.8. The
homophilous edges a TV term picks are the ones that join a mispredicted node to the
neighbours that would correct it, and losing them costs more than the heterophilous ones
gain. The term stays available (`aux_weight`, default 0) for ablations.

What does protect accuracy is structure: cutting 5 % of Cora's edges at random costs about
1.5 points at round 1 while 20 % of random weights cost nothing, and the cost falls on the
nodes that lose a large share of their few neighbours. `improved` therefore ranks edges by
|m_g|·(1/d_u + 1/d_v) (`graph_prior: resistance`, `gcn_tickets.pruning.priors.resistance_proxy`), the
degree proxy of the effective resistance by which spectral sparsifiers keep edges: among
edges the loss treats alike, the ones between two hubs go first and the ones that hold a
low-degree node to the graph go last. It prunes fewer heterophilous edges than `reference`
(table above) and still wins, which says how much more an edge to a low-degree node is worth.
Without the prior (ablation below) `improved` beat random in 9/10 Cora rounds but lost
CiteSeer's first rounds: swapping the graph and weight masks of CiteSeer's round-1 tickets
showed its learned edge ranking cost 0.7 points against random edges, its weight ranking
nothing.
"""


def reach_table(rows: Sequence[Record] | None, datasets: Sequence[str]) -> list[str]:
    """Share of edges unreached at Θ0 and never reached in the search, per dataset and mode."""
    if rows is None:
        return ["(run `benchmarks/bench_ugs_reach.py`)", ""]
    lines = [
        "| dataset | mode | seeds | unreached at Θ0 | never reached in the search |",
        "|---|---|---|---|---|",
    ]
    for ds in datasets:
        for mode in ("reference", "improved"):
            rs = [r for r in rows if r["dataset"] == ds and r["mode"] == mode]
            if rs:
                u = statistics.mean(r["unreached_edges"] for r in rs)
                n = statistics.mean(r["edges_without_gradient"] for r in rs)
                lines.append(f"| {ds} | `{mode}` | {len(rs)} | {100 * u:.1f} % | {100 * n:.1f} % |")
    return lines + [""]


def _share(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def heterophily_lines(shares: Mapping[str, Mapping[str, float | None]]) -> list[str]:
    """The heterophily table: per dataset, the share of heterophilous edges overall and among
    the round-1 pruned edges of each mode (None: no mask files); nothing for no datasets."""
    if not shares:
        return []
    rows = [
        f"| {ds} | " + " | ".join(_share(s.get(k)) for k in ("overall", *UGS_MODES)) + " |"
        for ds, s in shares.items()
    ]
    return [
        "Heterophilous edges (endpoints of different true classes) among the edges each mode "
        "pruned in round 1 (mean over seeds):",
        "",
        "| dataset | overall | `reference` | `improved` | `random` |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


def results_lines(summary: Record) -> list[str]:
    """The UGS table of a run summary and its verdict lines."""
    return [ugs_table(summary), "", *verdicts(summary), ""]


def merge_improved(main: Record, ablation: Record) -> Record:
    """``main``'s summary with its ``improved`` rows replaced by ``ablation``'s (if any)."""
    out = {k: v for k, v in main.items() if k != "improved"}
    if "improved" in ablation:
        out["improved"] = ablation["improved"]
    return out


def pubmed_lines(summary: Record, results: Sequence[Record]) -> list[str]:
    """PubMed's table, verdicts and wall-clock per mode from its ``round_*.result.json``
    records (``results``, in file order; round 0 not counted)."""
    if not summary:
        return ["PubMed: not run yet.", ""]
    lines = results_lines(summary)
    secs: dict[str, list[float]] = {}
    for r in results:
        if r["round"] > 0:
            s = r["retrain_seconds"] + (r.get("search") or {}).get("seconds", 0.0)
            secs.setdefault(r["mode"], []).append(s)
    for mode, v in sorted(secs.items()):
        lines.append(
            f"- `{mode}` wall-clock: {sum(v) / 60:.1f} min for {len(v)} rounds "
            f"({statistics.mean(v) / 60:.1f} min per round, search + retraining)."
        )
    return lines + ["", "![PubMed](ugs_pubmed_ugs_e60.png)", ""]


def _main_results(mains: Mapping[str, Record], runs: Mapping[str, str], published: str) -> list[str]:
    lines = [
        "`python benchmarks/bench_ugs.py configs/cora_ugs.yaml name=cora_ugs_e60 ugs.rounds=10 "
        "ugs.epochs=60 ugs.retrain_epochs=60` (and the same for CiteSeer): the published "
        "hyper-parameters (2-layer bias-free GCN, hidden 512, Cora lr 0.008 / wd 8e-5, CiteSeer "
        "lr 0.01 / wd 5e-4, γ1 = γ2 = 1e-2), seeds 0, 1, 2, but **60 search and 60 retraining "
        "epochs per round instead of 200** (the CPU budget of a shared two-core machine; no GPU "
        "was lent to this task). The dense row is trained with the same 60-epoch budget. Test "
        "accuracy %, mean ± std over seeds.",
        "",
    ]
    for ds, run in runs.items():
        lines += [f"### {ds}", "", *results_lines(mains[ds]), f"![{ds}](ugs_{run}.png)", ""]
    return lines + [f"Published extremes (single seed, 200 epochs): {published}.", ""]


def _pubmed_section(summary: Record, results: Sequence[Record]) -> list[str]:
    seeds = (summary.get("dense") or [{"seeds": []}])[0]["seeds"]
    return [
        f"### PubMed ({len(seeds)} seed{'s' * (len(seeds) != 1)}, 17 rounds)",
        "",
        "`python benchmarks/bench_ugs.py configs/pubmed_ugs.yaml name=pubmed_ugs_e60 ugs.epochs=60 "
        f'ugs.retrain_epochs=60 "seeds={seeds}"` (hidden 512, lr 0.01, wd 5e-4, γ1 = 1e-6, '
        "γ2 = 1e-3; 60 + 60 epochs per round; CPU, one thread per process, sharing two cores with "
        "the other benchmarks).",
        "",
        *pubmed_lines(summary, results),
    ]


def ugs_page(
    *,
    reach: Sequence[Record] | None,
    heterophily: Mapping[str, Mapping[str, float | None]],
    mains: Mapping[str, Record],
    runs: Mapping[str, str],
    pubmed: Record,
    pubmed_results: Sequence[Record],
    ablations: Sequence[tuple[str, Mapping[str, Record]]],
    published: str,
) -> str:
    """The text of docs/ugs.md.

    ``mains``: summary per dataset of ``runs`` (dataset -> run name); ``pubmed`` and
    ``pubmed_results``: PubMed's summary and round results; ``ablations``: (title,
    {dataset: summary}) whose ``improved`` rows replace the main run's.
    """
    table = "\n".join("| " + " | ".join(row) + " |" for row in MODES)
    lines = [INTRO.format(modes_table=table), *reach_table(reach, list(runs))]
    lines += heterophily_lines(heterophily)
    lines += [TV_NOTE, "## Results", "", *_main_results(mains, runs, published)]
    lines += _pubmed_section(pubmed, pubmed_results)
    lines += ["## Ablations (same reference and random runs)", ""]
    for title, summaries in ablations:
        for ds in runs:
            abl = summaries.get(ds, {})
            if abl.get("improved"):
                lines += [f"### {title}: {ds}", "", *results_lines(merge_improved(mains[ds], abl))]
    return "\n".join(lines)
