"""``gcn-tickets train-cnn``: prune a CNN at init and train it on scikit-learn's digits."""

from __future__ import annotations

import argparse
import json
import warnings
from typing import Any

from gcn_tickets.cli.common import guarded, number
from gcn_tickets.validation import at_least, positive

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    from gcn_tickets.methods.pai import methods

    p = subparsers.add_parser(
        "train-cnn",
        help="train a CNN pruned at init on the offline digits dataset (accuracy vs density)",
        description=(
            "For each method and density: build the digits CNN (seeded), prune it at init "
            "(or load --masks), train the weights under the mask with SGD and report the test "
            "accuracy at the epoch of best validation accuracy. 'dense' = no pruning."
        ),
    )
    p.add_argument("--model", default="digits_cnn", help="zoo model (default digits_cnn)")
    p.add_argument("--methods", default="dense,synflow",
                   help=f"comma list of dense,{','.join(methods())}")  # fmt: skip
    p.add_argument("--densities", default="0.1", help="comma list of densities in (0, 1]")
    p.add_argument("--masks", default=None, help="train under this mask file instead")
    p.add_argument("--epochs", type=number(int, at_least(1)), default=30, help=">= 1 (default 30)")
    p.add_argument("--lr", type=number(float, positive()), default=0.05, help="SGD lr, > 0 (default 0.05)")
    p.add_argument("--seed", type=number(int, at_least(0)), default=0, help=">= 0 (default 0)")
    p.add_argument("--json", dest="json_out", default=None, help="write the results here")
    p.set_defaults(func=guarded(run))


def _floats(text: str, flag: str) -> list[float]:
    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"{flag} must be a comma list of numbers, e.g. 0.1,0.01; got {text!r}") from None
    bad = [v for v in vals if not 0 < v <= 1]
    if bad or not vals:
        raise ValueError(f"{flag} values must satisfy 0 < d <= 1, got {text!r}")
    return vals


def run(args: argparse.Namespace) -> int:
    import torch

    from gcn_tickets.cli.prune import model_and_data
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.masks.maskset import MaskSet
    from gcn_tickets.methods.pai import methods as pai_methods
    from gcn_tickets.methods.pai import mine, prune_at_init
    from gcn_tickets.training.cnn import train_cnn

    if args.model == "gcn":
        raise ValueError("train-cnn trains image models; use `gcn-tickets train` for a GCN")
    registered = pai_methods()
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m != "dense" and m not in registered]
    if unknown:
        raise ValueError(f"unknown methods {unknown}: choose from dense,{','.join(registered)}")
    densities = _floats(args.densities, "--densities")
    rows = []
    runs = [("file", None)] if args.masks else [(m, d) for m in methods
                                                 for d in ([1.0] if m == "dense" else densities)]  # fmt: skip
    for method, density in runs:
        model, train, data = model_and_data(args.model, "digits", 10, args.seed, None)
        if method == "file":
            masks = MaskSet.load(args.masks)
            masks.check_against(model)
        elif method == "dense":
            masks = None
        elif method == "gem_miner":
            masks = mine(model, train, density, seed=args.seed)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                masks = prune_at_init(model, method, density, data=train, seed=args.seed)
        torch.manual_seed(args.seed)
        res = train_cnn(model, data.train, data.val, data.test, masks=masks, epochs=args.epochs,
                        lr=args.lr, seed=args.seed, progress=True)  # fmt: skip
        row = {"method": method, "density": 1.0 if masks is None else masks.density(),
               "test_acc": res.test, "best_val": res.valid,
               "collapsed": [] if masks is None else masks.meta.get("collapsed", [])}  # fmt: skip
        rows.append(row)
        print(f"{method:10s} density {row['density']:<8.4g} test acc {row['test_acc']:.4f} "
              f"(best val {row['best_val']:.4f})", flush=True)  # fmt: skip
    if args.json_out:
        atomic_write_text(args.json_out, json.dumps(rows, indent=1))
    return 0
