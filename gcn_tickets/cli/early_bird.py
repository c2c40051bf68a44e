"""``gcn-tickets early-bird CONFIG``: GEBT joint early-bird tickets (search + retrain).

Writes into the run folder ``--out``/<name> (default ``runs/``) for the config as its file
states it, ``<name>-<digest>`` when overrides change it (:func:`gcn_tickets.cli.common.run_path`,
shared with ``gcn-tickets ugs``); the folder is locked while the run writes and a folder made by
another config is refused, never resumed (:func:`gcn_tickets.runs.claim_run`). Resumable
(a finished seed is never recomputed): ``seed<k>.json`` (dense baseline + one row per ratio
pair), the tickets as mask files ``seed<k>_g<pg>_w<pw>.pt`` (+ ``.json`` sparsity report),
``trajectory.png`` and ``heatmap.png`` (first seed, first pair) and ``summary.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gcn_tickets.cli.common import guarded, number, run_path, run_state
from gcn_tickets.validation import at_least

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "early-bird",
        help="GEBT: joint early-bird tickets for graph and weights (search, detect, retrain)",
        description=(
            "Search a joint graph+weight early-bird ticket on a GCN (no pretraining), stop "
            "when the mask-distance detector fires, retrain the ticket, and compare it with "
            "the dense model, the ticket of the last search epoch and a random ticket."
        ),
    )
    p.add_argument("config", metavar="CONFIG", help="YAML config, e.g. configs/cora_gebt.yaml")
    p.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="overrides such as gebt.eta=0.05 seeds=[0] (YAML values)",
    )
    p.add_argument("--out", default="runs", help="output folder (default: runs/)")
    p.add_argument("--data-root", default=None, help="data root (default $GCN_TICKETS_DATA)")
    p.add_argument(
        "--sweep",
        action="store_true",
        help="all pairs of sweep_graph x sweep_weight (default: the config's single pair)",
    )
    p.add_argument(
        "--no-compare",
        action="store_true",
        help="stop the search at emergence; skip the last-epoch and random tickets",
    )
    p.add_argument(
        "--threads", type=number(int, at_least(1)), default=None, help="torch threads (default: torch's)"
    )
    p.set_defaults(func=guarded(run))


def _plots(out: Path, dataset: str, seed: int, res: dict[str, Any]) -> None:
    """``heatmap.png`` (first pair, when its detector kept its history) and ``trajectory.png``."""
    from gcn_tickets.reports.gebt_plots import plot_heatmaps, plot_trajectory

    pt0 = next(iter(res["search"].pairs.values()))
    if pt0.detector.keep_history:
        plot_heatmaps(pt0.detector, out / "heatmap.png", f"{dataset} seed {seed}: pairwise mask distances")
    plot_trajectory(res["rows"], out / "trajectory.png", f"{dataset} seed {seed}")


def run(args: argparse.Namespace) -> int:
    import torch

    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.gebt import load_config, run_gebt
    from gcn_tickets.methods.gebt.config import config_dict
    from gcn_tickets.methods.gebt.runner import finished_seeds
    from gcn_tickets.reports.gebt_run import gebt_summary_text
    from gcn_tickets.runs import claim_run
    from gcn_tickets.training.trainers import make_trainer

    try:
        cfg = load_config(args.config, args.overrides)
        out, cfg_dict = run_path(
            args.out, lambda ov: config_dict(load_config(args.config, ov)), args.overrides
        )
    except (ValueError, FileNotFoundError, TypeError) as exc:
        print(f"early-bird: {exc}", file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.sweep:
        ratios = [(g, w) for g in cfg.sweep_graph for w in cfg.sweep_weight]
    else:
        ratios = [(cfg.graph_sparsity, cfg.weight_sparsity)]
    task = load_dataset(cfg.dataset, args.data_root)
    kw: dict[str, Any] = {}
    if task.task == "link":
        kw = {"batch_size": cfg.batch_size, "steps_per_epoch": cfg.steps_per_epoch}
    elif task.task != "node":
        print("early-bird: graph-level datasets have no single graph to mask", file=sys.stderr)
        return 2
    trainer = make_trainer(task, "cpu", **kw)
    with claim_run(out, cfg_dict, log=print) as run:
        print(run_state(out, run.resuming, len(finished_seeds(out, cfg.seeds, ratios)), "seed"))
        summary = run_gebt(
            trainer,
            cfg,
            out,
            ratios=ratios,
            compare=not args.no_compare,
            on_first_seed=lambda seed, res: _plots(out, cfg.dataset, seed, res),
        )
    print()
    print(gebt_summary_text(cfg.dataset, cfg.seeds, summary["dense"], summary["pairs"]))
    print(f"\nwritten to {out}/")
    return 0
