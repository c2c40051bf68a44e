"""UGS (reference, improved) against the random control and the dense model.

Usage: python benchmarks/bench_ugs.py configs/cora_ugs.yaml [key.sub=value ...]

Resumable: results go to benchmarks/results/ugs/<name>/ round by round; the summary table
and plot to docs/ugs_<name>.md / .png, refreshed after every round.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> None:
    from gcn_tickets.config import load_config
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.ugs import run_ugs
    from gcn_tickets.reports.ugs import write_ugs_report
    from gcn_tickets.training.trainers import make_trainer

    torch.set_num_threads(1)
    cfg = load_config(argv[0], argv[1:])
    task = load_dataset(cfg.dataset)
    trainer = make_trainer(task, cfg.device, **cfg.trainer)
    out = ROOT / "benchmarks" / "results" / "ugs" / cfg.name

    def log(msg: str) -> None:
        print(msg, flush=True)
        write_ugs_report(out, ROOT / "docs" / f"ugs_{cfg.name}", title=f"UGS on {cfg.dataset}")

    run_ugs(trainer, cfg.ugs, out, modes=cfg.modes, seeds=cfg.seeds, log=log)
    write_ugs_report(out, ROOT / "docs" / f"ugs_{cfg.name}", title=f"UGS on {cfg.dataset}")


if __name__ == "__main__":
    main(sys.argv[1:])
