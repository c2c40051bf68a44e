"""Accuracy against density for every PaI method: digits CNN (real, offline) and a Cora GCN.

Digits (scikit-learn, 1,797 8×8 images, stratified 60/20/20 split reshuffled per seed):
the digits CNN (89,632 prunable weights) is pruned at init by each method at
two densities, trained under the mask (SGD 0.05, momentum 0.9, wd 5e-4,
cosine, EPOCHS epochs, re-masked after every step) and evaluated at the epoch
of best validation accuracy; the dense model is the reference. Gem-Miner also
reports the accuracy of its mask on the initial weights (before training).

Cora (public split): 2-layer GCN (hidden 16), SNIP / GraSP / SynFlow /
Gem-Miner / Rand at density 0.1, weights trained under the mask with Adam
(lr 0.01, wd 5e-4, 200 epochs, cosine), test accuracy after training.

Every run appends one line to benchmarks/results/pai_digits_rows.jsonl (a killed
run resumes where it stopped; ``--only`` drops those methods' lines and re-runs
them). Then writes benchmarks/results/pai_digits.json (all rows), docs/pai.md's
tables (docs/pai_digits.md, mean ± std over seeds) and docs/pai_digits.png.

    /work/venv/bin/python benchmarks/bench_pai_digits.py [--epochs 20] [--seeds 0,1,2,3,4]
    python benchmarks/bench_pai_digits.py --report-only     # rewrite the docs from the JSON
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import torch

from gcn_tickets.data.batches import accuracy
from gcn_tickets.data.digits import digits_loaders
from gcn_tickets.io import atomic_write_text
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.pai import gem_miner, mine, prune_at_init, train_weights
from gcn_tickets.models.zoo import build_model
from gcn_tickets.reports.records import append_jsonl, read_jsonl
from gcn_tickets.training.cnn import train_cnn

ROOT = Path(__file__).resolve().parents[1]
METHODS = ["rand", "erk", "mag", "snip", "grasp", "synflow", "itersnip", "gem_miner"]
CORA = ["dense", "rand", "snip", "grasp", "synflow", "gem_miner"]


def _key(r: dict) -> tuple:
    return (r["dataset"], r["method"], r["density"], r["seed"])


def digits_runs(densities: list[float], epochs: int, seeds: list[int], done: set, sink: Path) -> None:
    for seed in seeds:
        for method, d in [("dense", 1.0)] + [(m, d) for m in METHODS for d in densities]:
            if ("digits", method, d, seed) in done:
                continue
            data = digits_loaders(seed=seed)  # fresh loaders: a resumed run shuffles alike
            torch.manual_seed(seed)
            model = build_model("digits_cnn", in_channels=1)
            t0 = time.perf_counter()
            before = None
            if method == "dense":
                masks = None
            elif method == "gem_miner":
                masks = mine(model, data.train, d, seed=seed, return_work=True)
                before = accuracy(masks.work, data.test)
                del masks.work
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    masks = prune_at_init(model, method, d, data=data.train, seed=seed)
            prune_s = time.perf_counter() - t0
            res = train_cnn(model, data.train, data.val, data.test, masks=masks, epochs=epochs,
                            seed=seed)  # fmt: skip
            row = {
                "dataset": "digits", "model": "digits_cnn", "method": method, "density": d,
                "seed": seed, "epochs": epochs, "kept": None if masks is None else masks.kept(),
                "exact": None if masks is None else masks.kept() == round(d * masks.total()),
                "collapsed": [] if masks is None else masks.meta.get("collapsed", []),
                "test_acc": res.test, "best_val": res.valid,
                "acc_before_training": before, "prune_seconds": prune_s,
            }  # fmt: skip
            append_jsonl(sink, row)
            print(json.dumps(row), flush=True)


def cora_runs(density: float, seeds: list[int], done: set, sink: Path) -> None:
    from gcn_tickets.data.datasets import load_dataset

    task = load_dataset("Cora", root=tempfile.mkdtemp(prefix="pai_cora_"))
    for seed, method in [(s, m) for s in seeds for m in CORA]:
        if ("Cora", method, 1.0 if method == "dense" else density, seed) in done:
            continue
        torch.manual_seed(seed)
        g = build_model("gcn", num_classes=task.num_classes, in_channels=task.num_features)
        t0 = time.perf_counter()
        before = None
        if method == "gem_miner":
            # the 112-weight classifier is not pruned: global freezing empties it (see docs)
            first = [n for n, p in g.named_parameters() if p.dim() > 1][:-1]
            res = gem_miner(g, task.data, density, seed=seed, names=first)
            masks, acc, before = res.masks, res.acc_after, res.acc_before
        else:
            if method == "dense":
                masks = MaskSet({n: torch.ones_like(p, dtype=torch.bool)
                                 for n, p in g.named_parameters() if p.dim() > 1})  # fmt: skip
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    masks = prune_at_init(g, method, density, data=task.data, seed=seed)
            train_weights(g, masks, task.data, epochs=200, lr=0.01, weight_decay=5e-4, optimizer="adam")
            acc = accuracy(g, task.data, split="test")
        row = {
            "dataset": "Cora", "model": "gcn", "method": method,
            "density": 1.0 if method == "dense" else density, "seed": seed,
            "kept": masks.kept(), "exact": masks.kept() == round(masks.total()
                                                                  * (1.0 if method == "dense" else density)),
            "collapsed": masks.meta.get("collapsed", []), "test_acc": acc,
            "acc_before_training": before, "seconds": time.perf_counter() - t0,
        }  # fmt: skip
        append_jsonl(sink, row)
        print(json.dumps(row), flush=True)


def write_report(out: dict) -> None:
    """docs/pai_digits.md and docs/pai_digits.png from the results document ``out``."""
    from gcn_tickets.reports.pai import digits_page, plot_digits

    atomic_write_text(ROOT / "docs" / "pai_digits.md", digits_page(out, METHODS, CORA))
    plot_digits(out, ROOT / "docs" / "pai_digits.png", METHODS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--densities", default="0.05,0.01")
    ap.add_argument("--no-cora", action="store_true")
    ap.add_argument("--only", default=None, help="re-run only these methods, keep the other rows")
    ap.add_argument("--report-only", action="store_true", help="rewrite the docs from pai_digits.json")
    args = ap.parse_args()
    res = ROOT / "benchmarks" / "results"
    if args.report_only:
        write_report(json.loads((res / "pai_digits.json").read_text()))
        return
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    densities = [float(d) for d in args.densities.split(",")]
    sink = res / "pai_digits_rows.jsonl"
    rows = read_jsonl(sink)
    if any(r.get("epochs", args.epochs) != args.epochs for r in rows if r["dataset"] == "digits"):
        raise SystemExit(f"{sink} holds runs with another --epochs: move it away to start afresh")
    if args.only:
        only = set(args.only.split(","))
        rows = [r for r in rows if r["method"] not in only]
        atomic_write_text(sink, "".join(json.dumps(r) + "\n" for r in rows))
    done = {_key(r) for r in rows}
    digits_runs(densities, args.epochs, seeds, done, sink)
    if not args.no_cora:
        cora_runs(0.1, seeds, done, sink)
    rows = read_jsonl(sink)
    out = {
        "epochs": args.epochs,
        "seeds": sorted({r["seed"] for r in rows}),
        "densities": densities,
        "torch": torch.__version__,
        "digits": [r for r in rows if r["dataset"] == "digits"],
        "cora": [r for r in rows if r["dataset"] == "Cora"],
    }
    atomic_write_text(res / "pai_digits.json", json.dumps(out, indent=1))
    write_report(out)


if __name__ == "__main__":
    main()
