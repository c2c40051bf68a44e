"""``gcn-tickets train DATASET``: dense GCN over seeds, test at best validation, mean ± std."""

from __future__ import annotations

import argparse
import json

from gcn_tickets.cli.common import add_data_root, guarded, number
from gcn_tickets.validation import at_least, fraction, positive


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a dense GCN (mean ± std over seeds)", description=__doc__)
    p.add_argument("dataset", help="Cora, CiteSeer, PubMed, Photo, ogbn-*, ogbl-*, ogbg-*")
    count = number(int, at_least(1))
    p.add_argument("--seeds", type=count, default=10, help="number of seeds 0..n-1, >= 1 (default 10)")
    p.add_argument("--epochs", type=count, default=200, help="training epochs, >= 1 (default 200)")
    p.add_argument("--hidden", type=count, default=16, help="hidden channels, >= 1 (default 16)")
    p.add_argument("--layers", type=count, default=2, help="GCN layers, >= 1 (default 2)")
    p.add_argument("--dropout", type=number(float, fraction()), default=0.5, help="in [0, 1) (default 0.5)")
    p.add_argument("--lr", type=number(float, positive()), default=0.01, help="Adam lr, > 0 (default 0.01)")
    p.add_argument(
        "--weight-decay", type=number(float, at_least(0)), default=5e-4, help=">= 0 (default 5e-4)"
    )
    p.add_argument("--json", default=None, help="write the result to this JSON file")
    add_data_root(p)
    p.set_defaults(func=guarded(_run))


def _run(args: argparse.Namespace) -> int:
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.tickets import Recipe, dense_runs, seeded
    from gcn_tickets.training.trainers import make_trainer

    task = load_dataset(args.dataset, args.data_root)
    trainer = make_trainer(task)
    make_model = seeded(trainer.make_model, hidden=args.hidden, num_layers=args.layers, dropout=args.dropout)
    recipe = Recipe(epochs=args.epochs, lr=args.lr, weight_decay=args.weight_decay)
    res = dense_runs(trainer, make_model, recipe, seeds=range(args.seeds))
    t, v = res["test"], res["valid"]
    print(
        f"{task.name}: test {task.metric} {100 * t['mean']:.2f} ± {100 * t['std']:.2f} "
        f"(valid {100 * v['mean']:.2f} ± {100 * v['std']:.2f}, {t['n']} seeds, "
        f"{res['params']} params)"
    )
    if args.json:
        atomic_write_text(args.json, json.dumps(res, indent=2))
    return 0
