"""``gcn-tickets ugs CONFIG [key.sub=value ...] [--out DIR]``: UGS tickets, resumable, table + plot.

The run folder is ``--out``/<name> for the config as its file states it, ``<name>-<digest>``
when overrides change it (:func:`gcn_tickets.runs.run_dir`); a folder made by another config
is refused, never resumed (:func:`gcn_tickets.runs.claim_run`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

from gcn_tickets.cli.common import add_data_root, guarded, run_state
from gcn_tickets.cli.common import run_path as common_run_path


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
    """The folder name runs with overrides had before :func:`gcn_tickets.runs.run_dir`: the
    config's name plus a hash of the override strings (still found, see :func:`run_path`)."""
    rest = sorted(o for o in overrides if not o.startswith("name="))
    if not rest:
        return name
    digest = hashlib.sha256("\n".join(rest).encode()).hexdigest()[:8]
    return f"{name}-{digest}"


def run_path(config: str, overrides: list[str], out: str) -> tuple[Path, dict]:
    """(run folder, resolved config dict) of ``config`` with ``overrides`` under ``out``
    (:func:`gcn_tickets.cli.common.run_path`; a folder named by :func:`run_name` is still found)."""
    from gcn_tickets.config import load_config

    return common_run_path(
        out,
        lambda ov: load_config(config, ov).to_dict(),
        overrides,
        legacy=lambda name: Path(out) / run_name(name, overrides),
    )


def _run(args: argparse.Namespace) -> int:
    import torch

    from gcn_tickets.config import load_config
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.ugs import run_ugs
    from gcn_tickets.reports.ugs import write_ugs_report
    from gcn_tickets.runs import claim_run
    from gcn_tickets.training.trainers import make_trainer

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    cfg = load_config(args.config, args.overrides)
    if cfg.method not in (None, "ugs"):
        raise ValueError(
            f"{args.config} is a config of the ticket method {cfg.method!r}, not UGS: "
            f"run it with `gcn-tickets run {args.config}`"
        )
    path, cfg_dict = run_path(args.config, args.overrides, args.out)
    task = load_dataset(cfg.dataset, args.data_root)
    trainer = make_trainer(task, cfg.device, **cfg.trainer)
    with claim_run(path, cfg_dict) as run:
        done = sorted(path.glob("*/seed*/round_*.result.json"))
        print(run_state(path, run.resuming, len(done), "round"))
        run_ugs(trainer, cfg.ugs, path, modes=cfg.modes, seeds=cfg.seeds)
        text = write_ugs_report(path, path / "report", title=f"UGS on {cfg.dataset}")
    print()
    print(text.replace("![accuracy vs sparsity](report.png)", f"plot: {path / 'report.png'}"))
    return 0
