"""Fingerprints of the toolkit's reference computations, to prove a refactor moves nothing.

    python scripts/fingerprint.py OUT.json [--full] [--only ugs gebt pai audit]

Runs, through the command line (the interface every version keeps):

- ``ugs``: one UGS round on the embedded Cora in each mode (reference, improved, random)
  plus the dense round 0, seed 0 (``--full``: the quickstart recipe, hidden 512, 60 + 60
  epochs; default: hidden 64, 20 + 20 epochs);
- ``gebt``: ``early-bird configs/cora_gebt.yaml`` seed 0 at p_g = 20 %, p_w = 50 % with
  the last-epoch, random and random-graph controls;
- ``pai``: ``prune`` for every pruning-at-init method on the digits CNN (density 0.05) and
  the Cora GCN (density 0.1);
- ``audit``: the spectral audit JSON of a VGG-16 pruned at init (rand and synflow, 10 %).

and writes the SHA-256 of every mask tensor and every metric (timings dropped) to OUT.json.
Two checkouts give equal files iff they give bit-identical masks and metrics.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
PAI_METHODS = ("rand", "uniform", "erk", "mag", "snip", "grasp", "synflow", "itersnip", "gem_miner")
TIMING = ("seconds", "time", "elapsed")


def _cli(argv: list[str]) -> None:
    from gcn_tickets.cli import main

    rc = main(argv)
    if rc:
        raise SystemExit(f"gcn-tickets {' '.join(argv)} exited {rc}")


def tensor_digest(t: torch.Tensor) -> str:
    t = t.detach().cpu().contiguous()
    h = hashlib.sha256(f"{t.dtype}{tuple(t.shape)}".encode())
    h.update(t.numpy().tobytes() if t.dtype != torch.bool else t.to(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]


def mask_file(path: Path) -> dict[str, Any]:
    obj = torch.load(path, map_location="cpu", weights_only=True)
    out = {name: tensor_digest(t) for name, t in (obj.get("weights") or {}).items()}
    if obj.get("graph") is not None:
        out["__graph__"] = tensor_digest(obj["graph"])
    return out


def strip_timing(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_timing(v) for k, v in obj.items() if not any(s in k for s in TIMING)}
    if isinstance(obj, list):
        return [strip_timing(v) for v in obj]
    return obj


def ugs(tmp: Path, full: bool) -> dict[str, Any]:
    over = ["ugs.rounds=1", "modes=[reference,improved,random]"]
    if not full:
        over += ["ugs.hidden=64", "ugs.epochs=20", "ugs.retrain_epochs=20"]
    _cli(
        [
            "ugs",
            str(ROOT / "configs/quickstart.yaml"),
            *over,
            "--out",
            str(tmp / "ugs"),
            "--data-root",
            str(tmp / "data"),
        ]
    )
    (run,) = [p for p in (tmp / "ugs").iterdir() if p.is_dir()]
    out: dict[str, Any] = {}
    for f in sorted(run.glob("*/seed*/round_*.pt")):
        out[str(f.relative_to(run))] = mask_file(f)
    for f in sorted(run.glob("*/seed*/round_*.result.json")):
        out[str(f.relative_to(run))] = strip_timing(json.loads(f.read_text()))
    return out


def gebt(tmp: Path) -> dict[str, Any]:
    _cli(
        [
            "early-bird",
            str(ROOT / "configs/cora_gebt.yaml"),
            "seeds=[0]",
            "--out",
            str(tmp / "gebt"),
            "--data-root",
            str(tmp / "data"),
        ]
    )
    (run,) = [p for p in (tmp / "gebt").iterdir() if p.is_dir()]
    out: dict[str, Any] = {"seed0.json": strip_timing(json.loads((run / "seed0.json").read_text()))}
    for f in sorted(run.glob("seed0_*.pt")):
        out[f.name] = mask_file(f)
    return out


def pai(tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model, density, extra in (("digits_cnn", 0.05, []), ("gcn", 0.1, ["--dataset", "cora"])):
        for method in PAI_METHODS:
            f = tmp / "pai" / f"{model}_{method}.pt"
            _cli(["prune", "--model", model, "--method", method, "--density", str(density), "--out", str(f),
                  "--data-root", str(tmp / "data"), *extra])  # fmt: skip
            out[f"{model}/{method}"] = mask_file(f)
    return out


def audit(tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for method in ("rand", "synflow"):
        f = tmp / "audit" / f"vgg16_{method}.pt"
        args = ["prune", "--model", "vgg16", "--method", method, "--density", "0.1", "--out", str(f)]
        _cli(args + (["--iterations", "10"] if method == "synflow" else []))
        j = tmp / "audit" / f"vgg16_{method}.audit.json"
        _cli(["audit", str(f), "--json", str(j), "--no-plot", "--quiet"])
        out[f"vgg16/{method}/masks"] = mask_file(f)
        out[f"vgg16/{method}/audit"] = strip_timing(json.loads(j.read_text()))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--full", action="store_true", help="the quickstart UGS recipe (slower)")
    p.add_argument("--only", nargs="+", default=["ugs", "gebt", "pai", "audit"])
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for part in args.only:
            print(f"[fingerprint] {part}", file=sys.stderr, flush=True)
            result[part] = ugs(tmp, args.full) if part == "ugs" else globals()[part](tmp)
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
