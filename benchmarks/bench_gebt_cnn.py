"""Early-bird channel tickets (EB, ICLR 2020) on a small CNN and scikit-learn's digits.

    python benchmarks/bench_gebt_cnn.py      # appends to benchmarks/results/gebt_cnn.jsonl

The same mask-only detector as the GEBT search, here on BatchNorm channel masks (network
slimming, L1 1e-4 → 1e-3 on γ for this tiny model). For each seed and channel sparsity:
the EB search (stop at emergence), then the ticket (inherited weights, pruned channels held at
zero) trained for the rest of the budget; against the dense model trained for the whole
budget, a random channel ticket, and the channel ticket drawn at the last epoch of a full
search. Digits: 1,797 8×8 images, fixed 1,400/397 split. One thread, shared machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch
from _results import append_jsonl, read_jsonl  # benchmarks/_results.py
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "gebt_cnn.jsonl"
BUDGET = 30
SPARSITIES = (0.5, 0.7)
SEEDS = (0,)  # one seed: the machine is shared and loaded
SCOPES = ("global", "layer")


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, bias=False),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1, bias=False),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )


def data():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(d.target)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    return x[perm[:1400]], y[perm[:1400]], x[perm[1400:]], y[perm[1400:]]


def batches(x, y, seed: int, bs: int = 64):
    g = torch.Generator().manual_seed(seed)

    def make():
        perm = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), bs):
            idx = perm[i : i + bs]
            yield x[idx], y[idx]

    return make


def acc(model, x, y) -> float:
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def train(model, make, epochs: int, masker=None, lr: float = 0.05) -> None:
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(epochs, 1))
    for _ in range(epochs):
        model.train()
        for xb, yb in make():
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
            if masker is not None:
                masker.apply()
        sched.step()


def main() -> int:
    from gcn_tickets.eb_cnn import ChannelMasker, bn_layers, search_channel_ticket

    torch.set_num_threads(1)
    xtr, ytr, xte, yte = data()
    done = {(r["seed"], r["sparsity"], r.get("scope", "global")) for r in read_jsonl(OUT)}
    for seed in SEEDS:
        torch.manual_seed(seed)
        dense = cnn()
        t0 = time.perf_counter()
        train(dense, batches(xtr, ytr, seed), BUDGET)
        dense_s, dense_acc = time.perf_counter() - t0, acc(dense, xte, yte)
        for p, scope in [(p, sc) for p in SPARSITIES for sc in SCOPES]:
            if (seed, p, scope) in done:
                continue
            torch.manual_seed(seed)
            model = cnn()
            opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
            t0 = time.perf_counter()
            res = search_channel_ticket(
                model,
                batches(xtr, ytr, seed),
                opt,
                sparsity=p,
                max_epochs=BUDGET,
                l1=1e-3,
                stop=False,
                scope=scope,
            )
            # EB ticket: weights of the emergence epoch are not kept by a stop=False search,
            # so re-run the search to emergence (deterministic) and fine-tune from there
            fired = res.fired_epoch or BUDGET
            torch.manual_seed(seed)
            eb = cnn()
            opt = torch.optim.SGD(eb.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
            t1 = time.perf_counter()
            r2 = search_channel_ticket(
                eb, batches(xtr, ytr, seed), opt, sparsity=p, max_epochs=fired, l1=1e-3, scope=scope
            )
            m = ChannelMasker(eb, r2.masks)
            m.apply()
            train(eb, batches(xtr, ytr, seed + 100), BUDGET - fired, m)
            eb_s = time.perf_counter() - t1
            # last-epoch ticket: the full search's model, fine-tuned for the same epochs
            ml = ChannelMasker(model, _masks_now(model, p, scope))
            ml.apply()
            train(model, batches(xtr, ytr, seed + 100), BUDGET - fired, ml)
            # random channel ticket of the same sparsity, trained from scratch for the budget
            torch.manual_seed(seed)
            rnd = cnn()
            g = torch.Generator().manual_seed(seed + 7)
            names = list(bn_layers(rnd))
            sizes = [bn_layers(rnd)[n].num_features for n in names]
            keep = torch.ones(sum(sizes), dtype=torch.bool)
            keep[torch.randperm(sum(sizes), generator=g)[: round(p * sum(sizes))]] = False
            rm = dict(zip(names, keep.split(sizes), strict=True))
            mr = ChannelMasker(rnd, rm)
            mr.apply()
            train(rnd, batches(xtr, ytr, seed), BUDGET, mr)
            rec = {
                "seed": seed,
                "sparsity": p,
                "scope": scope,
                "fired_epoch": res.fired_epoch,
                "budget": BUDGET,
                "eb_test": acc(eb, xte, yte),
                "last_test": acc(model, xte, yte),
                "random_test": acc(rnd, xte, yte),
                "dense_test": dense_acc,
                "eb_seconds": eb_s,
                "dense_seconds": dense_s,
                "trajectory": [r.combined for r in res.detector.trajectory],
            }
            append_jsonl(OUT, rec)
            print(rec, flush=True)
    rows = read_jsonl(OUT)
    for p, scope in [(p, sc) for p in SPARSITIES for sc in SCOPES]:
        rs = [r for r in rows if r["sparsity"] == p and r.get("scope", "global") == scope]
        fe = [r["fired_epoch"] for r in rs if r["fired_epoch"] is not None]
        print(
            p,
            scope,
            len(fe),
            "/",
            len(rs),
            "median",
            statistics.median(fe) if fe else None,
            {
                k: round(statistics.fmean(r[k] for r in rs) * 100, 2)
                for k in ("eb_test", "last_test", "random_test", "dense_test")
            },
        )
    return 0


def _masks_now(model, p, scope):
    from gcn_tickets.eb_cnn import channel_masks

    return channel_masks(model, p, scope=scope)


if __name__ == "__main__":
    sys.exit(main())
