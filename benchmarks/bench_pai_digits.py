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
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import torch
from _results import append_jsonl, read_jsonl  # benchmarks/_results.py

from gcn_tickets.data.batches import accuracy
from gcn_tickets.data.digits import digits_loaders
from gcn_tickets.io import atomic_write_text
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.pai import gem_miner, mine, prune_at_init, train_weights
from gcn_tickets.models.zoo import build_model
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
                "test_acc": res.test_at_best_val, "best_val": res.best_val,
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


def _ms(values: list[float], digits: int = 4) -> str:
    import numpy as np

    if len(values) < 2:
        return f"{np.mean(values):.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values, ddof=1):.{digits}f}"


def render(out: dict) -> str:
    dig = out["digits"]
    lines = [
        "# Pruning at init: accuracy against density",
        "",
        "Generated by `benchmarks/bench_pai_digits.py` "
        f"(seeds {out['seeds']}, {out['epochs']} epochs; CPU, torch {out['torch']}).",
        "",
        "## Digits CNN (scikit-learn digits, 89,632 prunable weights)",
        "",
        "Test accuracy at the epoch of best validation accuracy (mean ± std over seeds). "
        "Gem-Miner: in brackets, its mask on the initial weights before weight training.",
        "",
        "| method | " + " | ".join(f"density {d:g}" for d in out["densities"]) + " |",
        "|---|" + "---|" * len(out["densities"]),
    ]
    dense = [r["test_acc"] for r in dig if r["method"] == "dense"]
    lines.append(f"| dense (1.0) | {_ms(dense)} |" + " |" * (len(out["densities"]) - 1))
    for m in METHODS:
        cells = []
        for d in out["densities"]:
            rs = [r for r in dig if r["method"] == m and r["density"] == d]
            cell = _ms([r["test_acc"] for r in rs])
            if m == "gem_miner":
                cell += f" [{_ms([r['acc_before_training'] for r in rs])}]"
            if any(r["collapsed"] for r in rs):
                cell += " (collapse)"
            cells.append(cell)
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "![accuracy vs density](pai_digits.png)", ""]
    if out.get("cora"):
        lines += [
            "## Cora GCN (public split, 2 layers, hidden 16)",
            "",
            "Weights trained under the mask (Adam 0.01, wd 5e-4, 200 epochs); test accuracy "
            "after training, mean ± std over seeds. Gem-Miner: in brackets, before weight training.",
            "",
            "| method | density | kept | test acc |",
            "|---|---|---|---|",
        ]
        for m in CORA:
            rs = [r for r in out["cora"] if r["method"] == m]
            if not rs:
                continue
            b = [r["acc_before_training"] for r in rs if r["acc_before_training"] is not None]
            extra = f" [{_ms(b, 3)}]" if b else ""
            acc = _ms([r["test_acc"] for r in rs], 3)
            lines.append(f"| {m} | {rs[0]['density']:g} | {rs[0]['kept']} | {acc}{extra} |")
        lines.append("")
    return "\n".join(lines)


def plot(out: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    dig = out["digits"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for m in METHODS:
        ds = out["densities"]
        runs = [[r["test_acc"] for r in dig if r["method"] == m and r["density"] == d] for d in ds]
        err = [np.std(v, ddof=1) if len(v) > 1 else 0.0 for v in runs]
        ax.errorbar(ds, [np.mean(v) for v in runs], yerr=err, marker="o", capsize=3, label=m)
    dense = np.mean([r["test_acc"] for r in dig if r["method"] == "dense"])
    ax.axhline(dense, color="k", ls="--", label="dense")
    ax.set_xscale("log")
    ax.set_xlabel("density (fraction of weights kept)")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"digits CNN pruned at init (mean ± std, {len(out['seeds'])} seeds)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--densities", default="0.05,0.01")
    ap.add_argument("--no-cora", action="store_true")
    ap.add_argument("--only", default=None, help="re-run only these methods, keep the other rows")
    args = ap.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    densities = [float(d) for d in args.densities.split(",")]
    res = ROOT / "benchmarks" / "results"
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
    atomic_write_text(ROOT / "docs" / "pai_digits.md", render(out))
    plot(out, ROOT / "docs" / "pai_digits.png")


if __name__ == "__main__":
    main()
