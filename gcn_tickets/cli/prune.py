"""``gcn-tickets prune``: pruning at initialisation of a zoo model, written as a mask file."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from gcn_tickets.cli.common import add_data_root, guarded, number
from gcn_tickets.validation import Rule, at_least

__all__ = ["register", "run", "model_and_data"]

DATASETS = ("digits", "cora", "citeseer", "pubmed")


def register(subparsers: Any) -> None:
    from gcn_tickets.methods.pai import methods
    from gcn_tickets.models.zoo import MODELS

    p = subparsers.add_parser(
        "prune",
        help="prune a model at initialisation (rand, erk, mag, snip, grasp, synflow, ...)",
        description=(
            "Build a zoo model with its standard initialisation (seeded), prune it at init and "
            "save the mask set (.pt) with its sparsity report (.json). Data-free methods use the "
            "model's input shape; snip/grasp/itersnip/gem_miner score on --dataset (digits "
            "images are resized to the model's input shape; a GCN uses a Planetoid graph)."
        ),
    )
    p.add_argument("--model", required=True, choices=MODELS, help="zoo model")
    p.add_argument("--method", required=True, choices=methods(), help="pruning method")
    p.add_argument("--density", required=True, type=number(float, Rule(lo=0, hi=1, lo_open=True)),
                   help="fraction KEPT, 0 < d <= 1")  # fmt: skip
    p.add_argument("--out", required=True, help="output mask file (.pt; a .json goes beside)")
    p.add_argument("--scope", choices=("global", "layer"), default="global")
    p.add_argument("--schedule", choices=("exponential", "linear"), default="exponential")
    p.add_argument("--iterations", type=number(int, at_least(1)), default=None,
                   help="pruning rounds (default 100 for synflow/itersnip, else 1)")  # fmt: skip
    p.add_argument("--dataset", choices=DATASETS, default=None,
                   help="scoring data (default: cora for gcn, digits otherwise)")  # fmt: skip
    p.add_argument("--num-classes", type=number(int, at_least(1)), default=None,
                   help="classifier width (default: the dataset's, or 10)")  # fmt: skip
    p.add_argument(
        "--seed", type=number(int, at_least(0)), default=0, help="seeds the init and random pruners"
    )
    p.add_argument("--exclude-first", action="store_true", help="never prune the first layer")
    p.add_argument("--exclude-last", action="store_true", help="never prune the last layer")
    p.add_argument("--strict", action="store_true", help="fail (exit 1) on layer collapse")
    add_data_root(p)
    p.set_defaults(func=guarded(run))


def model_and_data(
    model_name: str, dataset: str | None, num_classes: int | None, seed: int, data_root: Any
) -> tuple[Any, Any, Any]:
    """(model, scoring data, eval split data or None) for the CLI verbs."""
    import torch

    from gcn_tickets.models.zoo import build_model

    torch.manual_seed(seed)
    if model_name == "gcn":
        from gcn_tickets.data.datasets import load_dataset

        ds = dataset or "cora"
        if ds == "digits":
            raise ValueError("the gcn model needs a graph dataset: --dataset cora|citeseer|pubmed")
        task = load_dataset(ds, root=data_root)
        model = build_model("gcn", num_classes=task.num_classes, in_channels=task.num_features)
        return model, task.data, None
    if dataset not in (None, "digits"):
        raise ValueError(f"--dataset {dataset} is a graph: use it with --model gcn, or digits")
    from gcn_tickets.data.digits import digits_loaders

    in_ch = 1 if model_name == "digits_cnn" else 3
    model = build_model(model_name, num_classes=num_classes or 10, in_channels=in_ch)
    data = digits_loaders(seed=seed, input_shape=model.input_shape)
    return model, data.train, data


def run(args: argparse.Namespace) -> int:
    from gcn_tickets.methods.pai import LayerCollapseError, LayerCollapseWarning, prune_at_init

    model, data, _ = model_and_data(args.model, args.dataset, args.num_classes, args.seed, args.data_root)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LayerCollapseWarning)
        try:
            masks = prune_at_init(
                model, args.method, args.density, data=data, iterations=args.iterations,
                scope=args.scope, schedule=args.schedule, include_first=not args.exclude_first,
                include_last=not args.exclude_last, seed=args.seed, strict=args.strict,
                progress=True,
            )  # fmt: skip
        except LayerCollapseError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    for w in caught:
        if issubclass(w.category, LayerCollapseWarning):
            print(f"warning: {w.message}", file=sys.stderr)
    masks.meta["model"] = args.model
    path = masks.save(args.out)
    print(f"{args.method} on {args.model}: kept {masks.kept()} of {masks.total()} weights "
          f"(density {masks.density():.6g}) in {len(masks)} tensors -> {path}")  # fmt: skip
    print(f"collapsed layers: {masks.meta['collapsed'] or 'none'}")
    return 0
