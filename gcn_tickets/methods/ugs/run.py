"""A UGS run: every mode and seed for ``cfg.rounds`` rounds, resumable, into one folder.

Layout: ``out_dir/<mode>/seed<s>/round_XX.pt`` (the ticket's MaskSet + its .json sparsity
report) and ``round_XX.result.json`` (retrained metrics); round 0 is the dense model
(``out_dir/dense/seed<s>``), shared by the modes; ``rounds.json`` the summary. See
docs/ugs.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from gcn_tickets.io import atomic_write_text
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.methods.ugs.model import model_factory, retrain_recipe
from gcn_tickets.methods.ugs.rounds import initial_state, round_seed, ugs_round
from gcn_tickets.models.gcn import count_parameters
from gcn_tickets.tickets.costs import macs_vs_dense
from gcn_tickets.tickets.retrain import retrain_ticket
from gcn_tickets.training.fit import summarize
from gcn_tickets.training.protocol import Trainer

__all__ = ["run_ugs", "summarize_run"]


def _retrain_round(
    trainer: Trainer,
    cfg: UGSConfig,
    st: dict[str, Any],
    masks: MaskSet,
    mode: str,
    seed: int,
    r: int,
) -> dict[str, Any]:
    """Rewind to Θ0, retrain the ticket ``masks``; the round's result record."""
    res, ticket = retrain_ticket(
        trainer,
        model_factory(trainer, cfg),
        masks,
        retrain_recipe(cfg),
        seed=round_seed(seed, r, "retrain"),
        model_seed=seed,
        init="rewind",
        theta0=st["theta0"],
    )
    nparams, nnz = count_parameters(ticket.model)
    return {
        "mode": mode,
        "seed": seed,
        "round": r,
        "graph_sparsity": (masks.graph_sparsity() if masks.graph is not None else None),
        "weight_sparsity": 1 - masks.kept() / st["total"],
        "valid": res.valid,
        "test": res.test,
        "best_epoch": res.best_epoch,
        "retrain_seconds": res.seconds,
        "params": nparams,
        "nonzero_params": nnz,
        **macs_vs_dense(trainer, ticket.model, ticket.edge_index, st["base"]),
    }


def _seed_state(trainer: Trainer, cfg: UGSConfig, seed: int, modes) -> dict:
    base, theta0, dense = initial_state(trainer, cfg, seed)
    return {
        "theta0": theta0,
        "base": base,
        "total": dense.total(),
        "masks": {m: dense for m in modes},
        "dense": dense,
    }


def _log_line(result: dict[str, Any]) -> str:
    gs = result["graph_sparsity"]
    return (
        f"[{result['mode']} seed {result['seed']}] round {result['round']:2d}: graph sp "
        f"{'—' if gs is None else f'{gs:.4f}'} weight sp "
        f"{result['weight_sparsity']:.4f}  valid {result['valid']:.4f} test {result['test']:.4f}"
    )


def _run_round(
    trainer: Trainer,
    cfg: UGSConfig,
    st: dict[str, Any],
    d: Path,
    mode: str,
    seed: int,
    r: int,
    log: Callable[[str], None],
) -> None:
    """Round ``r`` of (``mode``, ``seed``): load it when finished, else prune, retrain, write."""
    mpath, rpath = d / f"round_{r:02d}.pt", d / f"round_{r:02d}.result.json"
    if mpath.exists() and rpath.exists():
        if mode != "dense":
            st["masks"][mode] = MaskSet.load(mpath)
        return
    info: dict[str, Any] = {}
    if mode == "dense":
        masks = st["dense"]
    else:
        masks, info = ugs_round(trainer, cfg, mode, st["theta0"], st["masks"][mode], seed, r, model_seed=seed)
    result = {**_retrain_round(trainer, cfg, st, masks, mode, seed, r), **info}
    masks.save(mpath)
    atomic_write_text(rpath, json.dumps(result, indent=2))
    if mode != "dense":
        st["masks"][mode] = masks
    log(_log_line(result))


def run_ugs(
    trainer: Trainer,
    cfg: UGSConfig,
    out_dir: str | Path,
    *,
    modes: tuple[str, ...] = ("reference", "improved", "random"),
    seeds: tuple[int, ...] = (0, 1, 2),
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run UGS (each mode, each seed, ``cfg.rounds`` rounds), resumable, into ``out_dir``.

    A finished round is never recomputed; a killed run restarts after the last finished round
    with identical masks (all randomness of a round derives from (seed, round, mode)).
    Rounds run round-major: an interrupted run has every seed and mode up to the same round.
    Returns the per-round summary (also written to ``out_dir/rounds.json``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "config.json").exists():  # kept when gcn_tickets.runs.claim_run wrote the run's
        atomic_write_text(out / "config.json", json.dumps(asdict(cfg), indent=2))
    state = {seed: _seed_state(trainer, cfg, seed, modes) for seed in seeds}
    for r in range(0, cfg.rounds + 1):
        for seed in seeds:
            for mode in ("dense",) if r == 0 else modes:
                _run_round(trainer, cfg, state[seed], out / mode / f"seed{seed}", mode, seed, r, log)
        summarize_run(out)
    return summarize_run(out)


def _summary_row(rnd: int, rs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "round": rnd,
        "graph_sparsity": rs[0]["graph_sparsity"],
        "weight_sparsity": rs[0]["weight_sparsity"],
        "valid": summarize(x["valid"] for x in rs),
        "test": summarize(x["test"] for x in rs),
        "macs": rs[0]["macs"],
        "dense_macs": rs[0]["dense_macs"],
        "seeds": sorted(x["seed"] for x in rs),
    }


def summarize_run(out_dir: str | Path) -> dict[str, Any]:
    """Aggregate ``round_XX.result.json`` files: mean ± std over seeds per mode and round."""
    out = Path(out_dir)
    rows: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for f in sorted(out.glob("*/seed*/round_*.result.json")):
        r = json.loads(f.read_text())
        rows.setdefault(r["mode"], {}).setdefault(r["round"], []).append(r)
    summary = {
        mode: [_summary_row(rnd, per_round[rnd]) for rnd in sorted(per_round)]
        for mode, per_round in rows.items()
    }
    atomic_write_text(out / "rounds.json", json.dumps(summary, indent=2))
    return summary
