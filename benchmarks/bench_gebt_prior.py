"""GEBT graph priors against the plain |s| ranking: the full sweep, and a held-out check.

    GCN_TICKETS_DATA=<root> python benchmarks/bench_gebt_prior.py [--seeds 5] [--confirm 10-19]
        [--no-sweep] [--datasets Cora CiteSeer PubMed]   (default datasets: Cora CiteSeer)

Variants (``gcn_tickets.methods.gebt.GEBTConfig``; everything else as in
``configs/<dataset>_gebt.yaml``):

``resistance``           ``graph_prior="resistance"``: edges ranked by |s_e|·(1/d_u + 1/d_v);
``resistance_labelled``  the same, and ``protect_labelled=True``: the edges at labelled
                         training nodes are pruned last;
``label_labelled``       ``graph_prior="label_resistance"``: |s_e|·(1/d_u + 1/d_v)·cos(ŷ_u, ŷ_v),
                         ŷ the training labels spread by label propagation, with
                         ``protect_labelled=True``.

The sweep runs ``gcn_tickets.methods.gebt.run_seed`` per (variant, dataset, seed) for
``--datasets`` and
``--variants`` and appends one line to ``benchmarks/results/gebt_prior[_labelled|_label_labelled]_
<dataset>.jsonl`` (resumable); it
is compared with the ``graph_prior="none"`` rows of ``bench_gebt.py`` (same seeds: the search
trains the same model whatever the ranking; only the drawn masks, and so the emergence
epoch, differ).

``--confirm A-B`` checks the p_g = 20 %, p_w = 50 % point on seeds A..B, which none of the
screens that chose the variants used: dense and ``--variants`` (default ``none``,
``resistance``, ``resistance_labelled``) with their random controls, one line per (dataset,
seed) in ``benchmarks/results/gebt_confirm_<dataset>.jsonl``; each run of seeds with the same
variants and retraining budget gets its own table. ``--retrain-epochs N`` retrains the tickets
and trains the dense model for N epochs instead of the config's (200; the paper's 100 for a
side-by-side on the same seeds). Everything goes to ``docs/gebt_prior.md``.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from gcn_tickets.reports.records import append_jsonl, read_jsonl, retrain_epochs

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "benchmarks" / "results"
DATASETS = {"Cora": "cora_gebt.yaml", "CiteSeer": "citeseer_gebt.yaml", "PubMed": "pubmed_gebt.yaml"}
VARIANTS: dict[str, dict[str, Any]] = {
    "none": {"graph_prior": "none", "protect_labelled": False},
    "resistance": {"graph_prior": "resistance", "protect_labelled": False},
    "resistance_labelled": {"graph_prior": "resistance", "protect_labelled": True},
    "label_labelled": {"graph_prior": "label_resistance", "protect_labelled": True},
}
SWEEP_VARIANTS = ["resistance", "resistance_labelled"]
CONFIRM_VARIANTS = ["none", "resistance", "resistance_labelled"]


def _sweep_file(variant: str, ds: str) -> Path:
    if variant == "none":
        return RES / f"gebt_sweep_{ds.lower()}.jsonl"
    stem = {"resistance": "gebt_prior", "resistance_labelled": "gebt_prior_labelled"}.get(
        variant, f"gebt_prior_{variant}"
    )
    return RES / f"{stem}_{ds.lower()}.jsonl"


def _slim(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("trajectory", "detector")} for r in rows]


def run(seeds: int, datasets: list[str], variants: list[str]) -> None:
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.gebt import run_seed
    from gcn_tickets.methods.gebt.config import load_config
    from gcn_tickets.training.trainers import NodeTrainer

    for ds in datasets:
        cfg_file = DATASETS[ds]
        trainer = NodeTrainer(load_dataset(ds))
        for variant in variants:
            out = _sweep_file(variant, ds)
            done = {r["seed"] for r in read_jsonl(out)}
            cfg = replace(load_config(ROOT / "configs" / cfg_file), **VARIANTS[variant])
            ratios = [(g, w) for g in cfg.sweep_graph for w in cfg.sweep_weight]
            for seed in range(seeds):
                if seed in done:
                    continue
                res = run_seed(trainer, cfg, seed, ratios=ratios, compare=True)
                rec = {"dataset": ds, "seed": seed, "retrain_epochs": cfg.retrain_epochs}
                append_jsonl(out, {**rec, "dense": res["dense"], "rows": _slim(res["rows"])})
                print(f"{ds} {variant} seed {seed} done", flush=True)


def confirm(seeds: range, datasets: list[str], variants: list[str], epochs: int | None = None) -> None:
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.gebt import run_seed
    from gcn_tickets.methods.gebt.config import load_config
    from gcn_tickets.training.trainers import NodeTrainer

    for ds in datasets:
        cfg_file = DATASETS[ds]
        out = RES / f"gebt_confirm_{ds.lower()}.jsonl"
        trainer = NodeTrainer(load_dataset(ds))
        base = replace(load_config(ROOT / "configs" / cfg_file), graph_sparsity=0.2, weight_sparsity=0.5)
        if epochs is not None:
            base = replace(base, retrain_epochs=epochs)
        done = {(r["seed"], retrain_epochs(r)) for r in read_jsonl(out)}
        for seed in seeds:
            if (seed, base.retrain_epochs) in done:
                continue
            rec: dict[str, Any] = {"dataset": ds, "seed": seed, "retrain_epochs": base.retrain_epochs}
            for variant in variants:
                res = run_seed(trainer, replace(base, **VARIANTS[variant]), seed, compare=True)
                rec["dense"] = res["dense"]
                rec[variant] = _slim(res["rows"])[0]
            append_jsonl(out, rec)
            print(f"{ds} confirm seed {seed} done", flush=True)


def report() -> None:
    """Rewrite docs/gebt_prior.md from the logs (``gcn_tickets.reports.gebt_prior.prior_page``)."""
    from gcn_tickets.io import atomic_write_text
    from gcn_tickets.reports import gebt_prior

    shown = gebt_prior.SWEEP_VARIANTS  # the page's three sweeps, not this script's SWEEP_VARIANTS
    text = gebt_prior.prior_page(
        confirm={ds: read_jsonl(RES / f"gebt_confirm_{ds.lower()}.jsonl") for ds in DATASETS},
        sweeps={(ds, v): read_jsonl(_sweep_file(v, ds)) for ds in DATASETS for v in shown},
        baseline={ds: read_jsonl(_sweep_file("none", ds)) for ds in DATASETS},
        variants=list(VARIANTS),
    )
    atomic_write_text(ROOT / "docs" / "gebt_prior.md", text)


def _range(text: str) -> range:
    a, _, b = text.partition("-")
    return range(int(a), int(b or a) + 1)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5, help="sweep seeds 0..N-1 (default 5)")
    p.add_argument("--confirm", type=_range, default=None, help="held-out seeds A-B for the 20/50 check")
    p.add_argument("--no-sweep", action="store_true", help="skip the sweep (with --confirm)")
    p.add_argument("--datasets", nargs="+", default=["Cora", "CiteSeer"], choices=list(DATASETS))
    p.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=None,
        help=f"variants to run (default: sweep {SWEEP_VARIANTS}, confirm {CONFIRM_VARIANTS})",
    )
    p.add_argument(
        "--retrain-epochs", type=int, default=None, help="confirm: retraining epochs (default: the config's)"
    )
    p.add_argument("--report-only", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(1)
    if not a.report_only:
        if a.confirm is not None:
            confirm(a.confirm, a.datasets, a.variants or CONFIRM_VARIANTS, a.retrain_epochs)
        if not a.no_sweep:
            run(a.seeds, a.datasets, [v for v in a.variants or SWEEP_VARIANTS if v != "none"])
    report()
