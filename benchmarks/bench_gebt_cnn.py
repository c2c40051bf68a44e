"""Early-bird channel tickets (EB, ICLR 2020) on a small CNN and scikit-learn's digits.

    python benchmarks/bench_gebt_cnn.py [--seeds 5]   # appends to benchmarks/results/gebt_cnn.jsonl

The same mask-only detector as the GEBT search, here on BatchNorm channel masks (network
slimming, L1 1e-4 → 1e-3 on γ for this tiny model). Per seed, channel sparsity and threshold
scope (global or per layer):

- search: SGD lr 0.05 (momentum 0.9, weight decay 1e-4) with the L1 term for the whole
  budget (30 epochs), recording where the detector (defaults) fires;
- EB: the same search stopped at emergence (deterministic: same seed, same batches), the
  ticket inherits those weights and is trained for the rest of the budget;
- last: the channel mask of the last search epoch on the fully searched model, trained for the
  same number of epochs as EB;
- random: random channels of the same sparsity, trained from the seed's init for the budget;
- dense: trained for the budget.

Tickets are trained with :func:`gcn_tickets.training.cnn.train_cnn` (SGD, cosine schedule, the
channel ticket held as parameter masks by
``gcn_tickets.methods.early_bird.channels.channel_param_masks``) and report test
accuracy at the best-validation epoch. Digits: ``gcn_tickets.data.digits.digits_loaders(seed)``, stratified
60/20/20 train/val/test of the 1,797 8×8 images, reshuffled per seed. One line per run
(resumable); ``bench_gebt.py --report-only`` writes the table into docs/gebt.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from torch import nn

from gcn_tickets.reports.records import append_jsonl, read_jsonl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "gebt_cnn.jsonl"
BUDGET = 30
LR, WD, L1 = 0.05, 1e-4, 1e-3
SPARSITIES = (0.5, 0.7)
SCOPES = ("global", "layer")


def cnn(seed: int) -> nn.Module:
    torch.manual_seed(seed)
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


def search(seed: int, p: float, scope: str, max_epochs: int, stop: bool):
    """EB search from the seed's init on the seed's batches; returns (model, result)."""
    from gcn_tickets.data.digits import digits_loaders
    from gcn_tickets.methods.early_bird.channels import search_channel_ticket

    data = digits_loaders(seed=seed)
    model = cnn(seed)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, weight_decay=WD)
    res = search_channel_ticket(
        model, lambda: data.train, opt, sparsity=p, max_epochs=max_epochs, l1=L1, stop=stop, scope=scope
    )
    return model, res


def fit(model: nn.Module, seed: int, epochs: int, channels=None):
    """Train (under a channel ticket) with train_cnn; (best val, test at best val, seconds)."""
    from gcn_tickets.data.digits import digits_loaders
    from gcn_tickets.methods.early_bird.channels import channel_param_masks
    from gcn_tickets.training.cnn import train_cnn

    data = digits_loaders(seed=seed)
    masks = channel_param_masks(model, channels) if channels is not None else None
    t0 = time.perf_counter()
    r = train_cnn(
        model, data.train, data.val, data.test, masks=masks, epochs=epochs, lr=LR, weight_decay=WD, seed=seed
    )
    return r.valid, r.test, time.perf_counter() - t0


def run(seeds: int) -> None:
    from gcn_tickets.methods.early_bird.channels import bn_layers, channel_masks

    done = {(r["seed"], r["sparsity"], r["scope"]) for r in read_jsonl(OUT) if "dense_val" in r}
    for seed in range(seeds):
        dense = None
        for p in SPARSITIES:
            for scope in SCOPES:
                if (seed, p, scope) in done:
                    continue
                if dense is None:
                    dense = fit(cnn(seed), seed, BUDGET)
                t0 = time.perf_counter()
                full, res = search(seed, p, scope, BUDGET, stop=False)
                full_s = time.perf_counter() - t0
                fired = res.fired_epoch or BUDGET
                rest = max(BUDGET - fired, 1)
                t0 = time.perf_counter()
                eb, r_eb = search(seed, p, scope, fired, stop=True)
                eb_search_s = time.perf_counter() - t0
                assert r_eb.epochs_run == fired
                eb_res = fit(eb, seed + 100, rest, r_eb.masks)
                last = fit(full, seed + 100, rest, channel_masks(full, p, scope=scope))
                rnd = cnn(seed)
                names = list(bn_layers(rnd))
                sizes = [bn_layers(rnd)[n].num_features for n in names]
                keep = torch.ones(sum(sizes), dtype=torch.bool)
                g = torch.Generator().manual_seed(seed + 7)
                keep[torch.randperm(sum(sizes), generator=g)[: round(p * sum(sizes))]] = False
                random = fit(rnd, seed, BUDGET, dict(zip(names, keep.split(sizes), strict=True)))
                rec = {
                    "seed": seed,
                    "sparsity": p,
                    "scope": scope,
                    "budget": BUDGET,
                    "fired_epoch": res.fired_epoch,
                    "kept_per_layer": [int(m.sum()) for m in r_eb.masks.values()],
                    "eb_val": eb_res[0],
                    "eb_test": eb_res[1],
                    "eb_seconds": eb_search_s + eb_res[2],
                    "last_val": last[0],
                    "last_test": last[1],
                    "last_seconds": full_s + last[2],
                    "random_test": random[1],
                    "dense_val": dense[0],
                    "dense_test": dense[1],
                    "dense_seconds": dense[2],
                    "trajectory": [r.combined for r in res.detector.trajectory],
                }
                append_jsonl(OUT, rec)
                print(
                    f"seed {seed} p {p} {scope}: fired {res.fired_epoch}, EB {eb_res[1]:.3f}, "
                    f"last {last[1]:.3f}, random {random[1]:.3f}, dense {dense[1]:.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    run(a.seeds)
