"""OGB end to end and the cost of masking.

1. ``speed``: one training epoch of a plain PyG GCN (LinkGCN) against the same model with joint
   learnable masks (per-undirected-edge graph scores + parametrized weight masks) on ogbl-ddi,
   same process, interleaved repeats; reports the median ratio (acceptance: ≤ 1.25).
2. ``memory``: peak RSS of one masked training step on random graphs with E fixed and N growing
   (and N fixed, E growing), each in a fresh subprocess: memory follows E, not N².
3. ``ugs``: ogbl-ddi (Hits@20) and ogbg-molhiv (ROC-AUC) through the OGB loaders and
   Evaluator: dense GCN + 3 UGS rounds (configs/ogbl_ddi_ugs.yaml, configs/ogbg_molhiv_ugs.yaml).

Usage: python benchmarks/bench_ogb.py [speed] [speed_ticket] [memory] [ugs | ugs_ddi ugs_molhiv]
(default: all; the UGS runs resume); ``--report-only`` rewrites docs/ogb.md from the results.
Writes benchmarks/results/ogb_*.json and docs/ogb.md.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "benchmarks" / "results"


def _epoch_times(kinds: tuple[str, ...], repeats: int, steps: int):
    """Interleaved training-epoch times on ogbl-ddi, evaluation stubbed out; one list per kind.

    Kinds: ``"plain"`` (PyG's own ``GCNConv`` on ``edge_index``: its default message
    passing), ``"plain_sparse"`` (PyG's ``GCNConv`` on a ``torch.sparse`` CSR adjacency:
    PyG's fused ``spmm`` path, the fastest plain PyG GCN), ``"plain_spmm"`` (the toolkit's
    ``SpmmGCNConv`` without masks), ``"learned"`` (joint learnable graph + weight masks, a
    UGS/GEBT search epoch) and ``"ticket"`` (binary masks attached, all kept, pruned edges
    dropped); the last three use the toolkit's ``SpmmGCNConv``.
    """
    from torch_geometric.nn import GCNConv
    from torch_geometric.utils import to_torch_csr_tensor

    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.masks.joint import JointMasks
    from gcn_tickets.training.fit import fit
    from gcn_tickets.training.trainers import LinkTrainer

    tr = LinkTrainer(load_dataset("ogbl-ddi"), steps_per_epoch=steps)
    tr.evaluate = lambda *a, **k: {"train": 0.0, "valid": 0.0, "test": 0.0}  # time training only
    adj_t = to_torch_csr_tensor(tr.edge_index.flip(0), size=(tr.num_nodes, tr.num_nodes))

    def epoch_time(kind: str) -> float:
        torch.manual_seed(0)
        model = tr.make_model(hidden=256, num_layers=2, dropout=0.5)
        if kind in ("plain", "plain_sparse"):
            for conv in model.convs:  # SpmmGCNConv -> PyG's GCNConv (same parameters)
                conv.__class__ = GCNConv
        ei, ew_fn, params = tr.edge_index, None, list(model.parameters())
        if kind == "plain_sparse":
            ei = adj_t
        elif kind == "learned":
            jm = JointMasks(model, tr.edge_index, tr.num_nodes)
            ew_fn = jm.edge_weight
            params = list(jm.model_parameters()) + list(jm.mask_parameters())
        elif kind == "ticket":
            jm = JointMasks(model, tr.edge_index, tr.num_nodes, learn_graph=False, learn_weights=False)
            ei = jm.ticket_edge_index(tr.edge_index)
        opt = torch.optim.Adam(params, lr=0.005)
        kw = {"epochs": 1, "optimizers": [opt], "edge_index": ei, "edge_weight_fn": ew_fn}
        fit(model, tr, **kw)  # warm-up
        t0 = time.perf_counter()
        fit(model, tr, **kw)
        return time.perf_counter() - t0

    times: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(repeats):
        for k in kinds:
            times[k].append(epoch_time(k))
            print(f"  {k}: {times[k][-1]:.2f} s", flush=True)
    return tr, times


def _ratios(num: list[float], den: list[float]) -> list[float]:
    return [a / b for a, b in zip(num, den, strict=True)]


def speed(repeats: int = 5, steps: int = 2) -> dict:
    tr, t = _epoch_times(("plain", "plain_sparse", "plain_spmm", "learned"), repeats, steps)
    r_pyg, r_sparse = _ratios(t["learned"], t["plain"]), _ratios(t["learned"], t["plain_sparse"])
    r_spmm = _ratios(t["learned"], t["plain_spmm"])
    out = {
        "dataset": "ogbl-ddi",
        "steps_per_epoch": steps,
        "batch_size": tr.batch_size,
        "hidden": 256,
        "plain_s": t["plain"],
        "plain_sparse_s": t["plain_sparse"],
        "plain_spmm_s": t["plain_spmm"],
        "plain_spmm_median_s": statistics.median(t["plain_spmm"]),
        "masked_s": t["learned"],
        "plain_median_s": statistics.median(t["plain"]),
        "plain_sparse_median_s": statistics.median(t["plain_sparse"]),
        "masked_median_s": statistics.median(t["learned"]),
        "ratio_median": statistics.median(r_pyg),
        "ratios": r_pyg,
        "ratio_sparse_median": statistics.median(r_sparse),
        "ratios_sparse": r_sparse,
        "ratio_spmm_median": statistics.median(r_spmm),
        "ratios_spmm": r_spmm,
        "threads": torch.get_num_threads(),
    }
    _save("ogb_speed.json", out)
    return out


def speed_ticket(repeats: int = 3, steps: int = 2) -> dict:
    """A fixed ticket (binary masks attached, all kept: the worst case) against plain PyG."""
    _, t = _epoch_times(("plain", "ticket"), repeats, steps)  # PyG's GCNConv vs the ticket
    ratios = _ratios(t["ticket"], t["plain"])
    out = {
        "plain_s": t["plain"],
        "ticket_s": t["ticket"],
        "ratios": ratios,
        "ratio_median": statistics.median(ratios),
    }
    _save("ogb_speed_ticket.json", out)
    return out


MEM_CHILD = """
import resource, sys, torch
from gcn_tickets.masks.joint import JointMasks
from gcn_tickets.models.gcn import GCN
torch.set_num_threads(1)
n, e = int(sys.argv[1]), int(sys.argv[2])
g = torch.Generator().manual_seed(0)
src = torch.randint(0, n, (e,), generator=g); dst = torch.randint(0, n, (e,), generator=g)
ei = torch.cat([torch.stack([src, dst]), torch.stack([dst, src])], 1)
x = torch.randn(n, 16)
def kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
base = kb("VmRSS")
model = GCN(16, 16, 4)
jm = JointMasks(model, ei, n)
out = model(x, ei, jm.edge_weight()); out.square().mean().backward()
print(kb("VmHWM") - base)
"""


def memory() -> dict:
    rows = []
    for n, e in [
        (10_000, 200_000),
        (100_000, 200_000),
        (1_000_000, 200_000),
        (100_000, 400_000),
        (100_000, 800_000),
    ]:
        r = subprocess.run(
            [sys.executable, "-c", MEM_CHILD, str(n), str(e)], check=True, capture_output=True, text=True
        )
        kb = int(r.stdout.strip().splitlines()[-1])
        rows.append(
            {
                "num_nodes": n,
                "undirected_edges": e,
                "peak_rss_delta_mb": kb / 1024,
                "dense_nxn_mb": n * n * 4 / 2**20,
            }
        )
        print(rows[-1], flush=True)
    out = {"rows": rows}
    _save("ogb_memory.json", out)
    return out


def ugs_ddi() -> dict:
    return ugs(("configs/ogbl_ddi_ugs.yaml",))


def ugs_molhiv() -> dict:
    return ugs(("configs/ogbg_molhiv_ugs.yaml",))


def ugs(configs: tuple[str, ...] = ("configs/ogbl_ddi_ugs.yaml", "configs/ogbg_molhiv_ugs.yaml")) -> dict:
    from gcn_tickets.config import load_config
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.ugs import run_ugs, summarize_run
    from gcn_tickets.reports.ugs import write_ugs_report
    from gcn_tickets.training.trainers import make_trainer

    out = {}
    for cfg_path in configs:
        cfg = load_config(ROOT / cfg_path)
        task = load_dataset(cfg.dataset)
        trainer = make_trainer(task, cfg.device, **cfg.trainer)
        run_dir = RES / "ugs" / cfg.name
        t0 = time.perf_counter()
        run_ugs(trainer, cfg.ugs, run_dir, modes=cfg.modes, seeds=cfg.seeds)
        write_ugs_report(
            run_dir, ROOT / "docs" / f"ugs_{cfg.name}", title=f"UGS on {cfg.dataset} ({task.metric})"
        )
        out[cfg.dataset] = {
            "metric": task.metric,
            "summary": summarize_run(run_dir),
            "seconds_this_call": time.perf_counter() - t0,
        }
    for name, val in out.items():
        _save(f"ogb_ugs_{name}.json", val)
    return out


def _save(name: str, obj: dict) -> None:
    from gcn_tickets.io import atomic_write_text

    atomic_write_text(RES / name, json.dumps(obj, indent=2))


def write_doc() -> None:
    """Rewrite docs/ogb.md from the result files (``gcn_tickets.reports.ogb.ogb_page``)."""
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.reports.ogb import ogb_page
    from gcn_tickets.reports.records import read_json

    reports = {}
    for name in ("ogbl_ddi_ugs", "ogbg_molhiv_ugs"):
        md = ROOT / "docs" / f"ugs_{name}.md"
        if md.exists():
            reports[name] = md.read_text()
    text = ogb_page(
        speed=read_json(RES / "ogb_speed.json"),
        ticket=read_json(RES / "ogb_speed_ticket.json"),
        memory=read_json(RES / "ogb_memory.json"),
        ugs_reports=reports,
    )
    atomic_write_text(ROOT / "docs" / "ogb.md", text)


def main(parts: list[str]) -> None:
    torch.set_num_threads(1)
    if parts == ["--report-only"]:
        write_doc()
        return
    parts = parts or ["speed", "memory", "ugs"]
    for p in parts:
        print(json.dumps({p: globals()[p]()}, default=str)[:2000], flush=True)
        write_doc()
    print("peak RSS (MB):", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":
    main(sys.argv[1:])
