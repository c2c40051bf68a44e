"""Which edges does a UGS search reach? Round-1 searches from Θ0, 60 epochs, per mode.

For each dataset and mode, records the share of undirected edges whose mask score gets
exactly zero gradient from the task loss at Θ0 (``unreached_edges``) and the share that got
no non-zero loss gradient in ANY step of the search (``edges_without_gradient``; L1 terms
excluded). Under the reference recipe the latter drift alike and are ranked by their init
noise; ``improved``'s pseudo-label loss is meant to reach them.

Usage: python benchmarks/bench_ugs_reach.py  ->  benchmarks/results/ugs_reach.json
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "ugs_reach.json"


def main() -> None:
    from gcn_tickets.config import load_config
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.methods.ugs import initial_state, round_seed, search_scores
    from gcn_tickets.training.trainers import make_trainer

    torch.set_num_threads(1)
    rows = json.loads(OUT.read_text()) if OUT.exists() else []
    done = {(r["dataset"], r["mode"], r["seed"]) for r in rows}
    for ds in ("cora", "citeseer"):
        cfg = load_config(ROOT / "configs" / f"{ds}_ugs.yaml", ["ugs.epochs=60"])
        trainer = make_trainer(load_dataset(cfg.dataset), cfg.device, **cfg.trainer)
        for mode in ("reference", "improved"):
            for seed in (0, 1, 2):
                if (cfg.dataset, mode, seed) in done:
                    continue
                _, theta0, masks = initial_state(trainer, cfg.ugs, seed)
                scores = search_scores(
                    trainer, cfg.ugs, mode, theta0, masks, round_seed(seed, 1, mode), model_seed=seed
                )
                rows.append(
                    {
                        "dataset": cfg.dataset,
                        "mode": mode,
                        "seed": seed,
                        **scores.extras,
                    }
                )
                atomic_write_text(OUT, json.dumps(rows, indent=2))
                print(rows[-1], flush=True)


if __name__ == "__main__":
    main()
