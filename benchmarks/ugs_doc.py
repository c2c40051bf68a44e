"""Write docs/ugs.md from the UGS results on disk (no training).

    python benchmarks/ugs_doc.py

Reads ``benchmarks/results/ugs/<run>/`` (bench_ugs.py), ``benchmarks/results/ugs_ablation/``
(earlier ``improved`` variants, same reference/random runs), ``benchmarks/results/ugs_reach.json``
(bench_ugs_reach.py) and ``benchmarks/results/ugs_heterophily.json`` (the share of
heterophilous edges among the round-1 pruned ones). Where the round-1 mask files
(``round_01.pt``, not in the repository) and the dataset are present, that share is
recomputed from them and the JSON updated first. The page itself is
``gcn_tickets.reports.ugs_page.ugs_page``.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from gcn_tickets.config import UGS_MODES
from gcn_tickets.reports.records import read_json
from gcn_tickets.reports.ugs_page import ugs_page

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "benchmarks" / "results"
HETEROPHILY = RES / "ugs_heterophily.json"
RUNS = {"Cora": "cora_ugs_e60", "CiteSeer": "citeseer_ugs_e60"}
ABLATIONS = {
    "`improved` without the graph prior (edges ranked by \\|m_g\\| alone)": RES / "ugs_ablation" / "no_prior",
    "`improved` with the TV edge term (aux 25; otherwise as now)": RES / "ugs_ablation" / "tv",
    "first `improved` (1 − p·p edge term, weights by |m ⊙ Θ|)": RES / "ugs_ablation",
}
PUBLISHED = "Cora round 4 (18.55 % graph / 59.04 % weight sparsity), CiteSeer round 13 (48.67 % / 94.50 %)"


def _summary(run_dir: Path) -> dict[str, Any]:
    from gcn_tickets.methods.ugs import summarize_run

    return summarize_run(run_dir) if run_dir.exists() else {}


def _heterophily(ds: str, run: str) -> dict[str, float | None] | None:
    """Share of heterophilous edges overall and among each mode's round-1 pruned edges, from
    the mask files; None when the dataset or every mask file is absent."""
    from gcn_tickets.data.datasets import DatasetNotFound, load_dataset
    from gcn_tickets.masks.edges import undirected_edges
    from gcn_tickets.masks.maskset import MaskSet

    files = {m: sorted((RES / "ugs" / run / m).glob("seed*/round_01.pt")) for m in UGS_MODES}
    if not any(files.values()):
        return None
    try:
        data = load_dataset(ds).data
    except DatasetNotFound:  # the doc may be rebuilt where the dataset is absent
        return None
    und, _ = undirected_edges(data.edge_index, data.num_nodes)
    het = data.y[und[0]] != data.y[und[1]]
    shares: dict[str, float | None] = {"overall": float(het.float().mean())}
    for mode, paths in files.items():
        vals = [float(het[~MaskSet.load(f).graph].float().mean()) for f in paths]
        shares[mode] = statistics.mean(vals) if vals else None
    return shares


def heterophily() -> dict[str, Any]:
    """The stored shares, updated from the mask files where they are present."""
    from gcn_tickets.io import atomic_write_text

    doc = read_json(HETEROPHILY) or {"rows": {}}
    fresh = {ds: s for ds, run in RUNS.items() if (s := _heterophily(ds, run)) is not None}
    if fresh:
        doc["rows"] = {
            ds: fresh.get(ds, doc["rows"].get(ds)) for ds in RUNS if ds in fresh or ds in doc["rows"]
        }
        doc["note"] = "computed by benchmarks/ugs_doc.py from the round-1 mask files"
        atomic_write_text(HETEROPHILY, json.dumps(doc, indent=1) + "\n")
    return doc["rows"]


def main() -> None:
    from gcn_tickets.io import atomic_write_text

    pubmed = RES / "ugs" / "pubmed_ugs_e60"
    text = ugs_page(
        reach=read_json(RES / "ugs_reach.json"),
        heterophily=heterophily(),
        mains={ds: _summary(RES / "ugs" / run) for ds, run in RUNS.items()},
        runs=RUNS,
        pubmed=_summary(pubmed),
        pubmed_results=[json.loads(f.read_text()) for f in pubmed.glob("*/seed*/round_*.result.json")],
        ablations=[
            (title, {ds: _summary(root / run) for ds, run in RUNS.items()})
            for title, root in ABLATIONS.items()
        ],
        published=PUBLISHED,
    )
    atomic_write_text(ROOT / "docs" / "ugs.md", text)
    print(text[:3000])


if __name__ == "__main__":
    main()
