"""``gcn-tickets ugs CONFIG [key.sub=value ...]``: UGS tickets, resumable, table + plot."""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

from gcn_tickets.cli.common import add_data_root, guarded


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ugs", help="find UGS tickets (reference / improved / random control)", description=__doc__
    )
    p.add_argument("config", help="YAML config, e.g. configs/cora_ugs.yaml")
    p.add_argument("overrides", nargs="*", help="key.sub=value overrides, e.g. ugs.rounds=5")
    p.add_argument("--out", default="runs", help="parent of the run directory (default: runs)")
    add_data_root(p)
    p.set_defaults(func=guarded(_run))


def run_name(name: str, overrides: list[str]) -> str:
    """The run directory name: the config's name, plus a short hash of any overrides
    (so a run with other hyper-parameters never resumes into, or mixes with, another)."""
    rest = sorted(o for o in overrides if not o.startswith("name="))
    if not rest:
        return name
    digest = hashlib.sha256("\n".join(rest).encode()).hexdigest()[:8]
    return f"{name}-{digest}"


def _run(args: argparse.Namespace) -> int:
    import torch

    from gcn_tickets.config import load_config
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.ugs import run_ugs
    from gcn_tickets.reports.ugs import write_ugs_report
    from gcn_tickets.training.trainers import make_trainer

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    cfg = load_config(args.config, args.overrides)
    task = load_dataset(cfg.dataset, args.data_root)
    trainer = make_trainer(task, cfg.device, **cfg.trainer)
    run_dir = Path(args.out) / run_name(cfg.name, args.overrides)
    done = sorted(run_dir.glob("*/seed*/round_*.result.json")) if run_dir.exists() else []
    state = f"resuming: {len(done)} finished rounds found" if done else "new run"
    print(f"run directory: {run_dir} ({state}; a run started again resumes after its last finished round)")
    run_ugs(trainer, cfg.ugs, run_dir, modes=cfg.modes, seeds=cfg.seeds)
    text = write_ugs_report(run_dir, run_dir / "report", title=f"UGS on {cfg.dataset}")
    print()
    print(text.replace("![accuracy vs sparsity](report.png)", f"plot: {run_dir / 'report.png'}"))
    return 0
