"""Layer collapse of VGG-16-BN under pruning at init (the SynFlow finding), plus float64 checks.

For densities 0.1, 0.01, 0.001 prune a CIFAR VGG-16-BN (standard init, seed 0)
with SynFlow (100 exponential iterations, float64), Mag and Rand (global), and
record per-layer kept counts, the number of kept weights on an input→output
path, and the collapsed layers. Then check that SynFlow scores stay finite
in float64 at 100 iterations on ResNet-34 and VGG-16 (and whether the same
round is finite in float32), and that the kept count is exactly
round(density·N).

Writes benchmarks/results/pai_collapse.json and docs/pai_collapse.md.

    /work/venv/bin/python benchmarks/bench_pai_collapse.py [--iterations 100] [--quick]
    python benchmarks/bench_pai_collapse.py --report-only    # rewrite the doc from the JSON
"""

from __future__ import annotations

import argparse
import copy
import json
import time
import warnings
from pathlib import Path

import torch

from gcn_tickets.io import atomic_write_text
from gcn_tickets.methods.pai import collapse_report, prune_at_init
from gcn_tickets.methods.pai.scores import linearised_copy, set_masked, synflow_on
from gcn_tickets.models.zoo import build_model
from gcn_tickets.pruning.schedules import schedule_densities
from gcn_tickets.pruning.select import prunable_names
from gcn_tickets.pruning.topk import topk_masks
from gcn_tickets.reports.pai import collapse_page

ROOT = Path(__file__).resolve().parents[1]


def synflow_finite(model, iterations: int, density: float, dtype: torch.dtype) -> dict:
    """Run SynFlow's rounds in ``dtype``; report min/max of kept scores and finiteness."""
    names = prunable_names(model)
    work = linearised_copy(model).to(dtype)
    inputs = (torch.ones((1, *model.input_shape), dtype=dtype),)
    orig = {n: p.detach().clone() for n, p in work.named_parameters() if n in set(names)}
    masks = None
    worst = {"finite": True, "all_zero_round": None, "max": 0.0, "min_pos": float("inf")}
    for k, d in enumerate(schedule_densities(density, iterations), start=1):
        set_masked(work, orig, masks)
        scores = synflow_on(work, names, inputs)
        flat = torch.cat([s.reshape(-1) for s in scores.values()]).double()
        if not torch.isfinite(flat).all():
            worst["finite"] = False
            worst["first_nonfinite_round"] = k
            break
        pos = flat[flat > 0]
        if pos.numel() == 0 and worst["all_zero_round"] is None:
            worst["all_zero_round"] = k
        else:
            worst["max"] = max(worst["max"], float(pos.max()))
            worst["min_pos"] = min(worst["min_pos"], float(pos.min()))
        masks = topk_masks(scores, d, allowed=masks)
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="10 iterations, for a smoke run")
    ap.add_argument("--report-only", action="store_true", help="rewrite the doc from pai_collapse.json")
    args = ap.parse_args()
    res_dir = ROOT / "benchmarks" / "results"
    if args.report_only:
        out = json.loads((res_dir / "pai_collapse.json").read_text())
        atomic_write_text(ROOT / "docs" / "pai_collapse.md", collapse_page(out))
        return
    it = 10 if args.quick else args.iterations
    torch.set_num_threads(1)
    torch.manual_seed(0)
    vgg = build_model("vgg16")
    densities = [0.1, 0.01, 0.001]
    runs = []
    for method in ("synflow", "mag", "rand"):
        for d in densities:
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                masks = prune_at_init(vgg, method, d, iterations=it if method == "synflow" else 1, seed=0)
            secs = time.perf_counter() - t0
            rep = collapse_report(vgg, masks)
            runs.append(
                {
                    "model": "vgg16",
                    "method": method,
                    "density": d,
                    "iterations": it if method == "synflow" else 1,
                    "kept": masks.kept(),
                    "total": masks.total(),
                    "exact": masks.kept() == round(d * masks.total()),
                    "collapsed": rep.collapsed,
                    "empty": rep.empty,
                    "layers": rep.rows(),
                    "seconds": secs,
                }
            )
            print(
                f"{method:8s} d={d:<6g} kept={masks.kept()} collapsed={len(rep.collapsed)} "
                f"empty={len(rep.empty)} {secs:.1f}s",
                flush=True,
            )
    finite = []
    for name in ("resnet34", "vgg16"):
        torch.manual_seed(0)
        model = build_model(name)
        for dtype in (torch.float64, torch.float32):
            t0 = time.perf_counter()
            res = synflow_finite(copy.deepcopy(model), it, 0.01, dtype)
            res.update(model=name, dtype=str(dtype), iterations=it, seconds=time.perf_counter() - t0)
            finite.append(res)
            print(res, flush=True)
    out = {"iterations": it, "runs": runs, "synflow_finite": finite, "torch": torch.__version__}
    res_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(res_dir / "pai_collapse.json", json.dumps(out, indent=1))
    atomic_write_text(ROOT / "docs" / "pai_collapse.md", collapse_page(out))


if __name__ == "__main__":
    main()
