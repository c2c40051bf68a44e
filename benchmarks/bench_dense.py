"""Dense 2-layer GCN baselines (Kipf & Welling settings), 10 seeds, public Planetoid splits.

hidden 16, dropout 0.5 (input and hidden), Adam lr 0.01, weight decay 5e-4, 200 epochs,
row-normalised features; test accuracy at the best-validation epoch.
Writes benchmarks/results/dense_planetoid.json (resumable, per seed) and docs/dense_baselines.md
(``python benchmarks/bench_dense.py --report-only`` rewrites the doc from the JSON).
Published (ALGORITHMS.md section 5): Cora 81.5, CiteSeer 70.3, PubMed 79.0 (Kipf & Welling);
PyG 81.5 ± 0.6 / 71.1 ± 0.7 / 79.0 ± 0.6. Acceptance: Cora ≥ 80.5, CiteSeer ≥ 69.5, PubMed ≥ 78.5.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "dense_planetoid.json"
PUBLISHED = {"Cora": (81.5, 80.5), "CiteSeer": (70.3, 69.5), "PubMed": (79.0, 78.5)}


def main(seeds: int = 10) -> None:
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.tickets import Recipe, dense_runs, seeded
    from gcn_tickets.training.trainers import make_trainer

    torch.set_num_threads(1)
    done = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in PUBLISHED:
        trainer = make_trainer(load_dataset(name))
        make_model = seeded(trainer.make_model, hidden=16, num_layers=2, dropout=0.5)
        recipe = Recipe(epochs=200, lr=0.01, weight_decay=5e-4)
        runs = done.setdefault(name, {})
        for s in range(seeds):
            if str(s) in runs:
                continue
            res = dense_runs(trainer, make_model, recipe, seeds=[s], progress=False)
            r = res["runs"][0]
            runs[str(s)] = {k: r[k] for k in ("valid", "test", "best_epoch", "seconds")} | {
                "params": res["params"]
            }
            atomic_write_text(RESULTS, json.dumps(done, indent=2))
            print(f"{name} seed {s}: test {r['test']:.4f}", flush=True)
    write_doc(done)


def write_doc(done: dict | None = None) -> None:
    """Rewrite docs/dense_baselines.md from the per-seed results (``reports.dense.dense_page``)."""
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.reports.dense import dense_page

    done = json.loads(RESULTS.read_text()) if done is None else done
    text = dense_page(done, PUBLISHED)
    atomic_write_text(ROOT / "docs" / "dense_baselines.md", text)
    print(text, end="")


if __name__ == "__main__":
    if sys.argv[1:] == ["--report-only"]:
        write_doc()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
