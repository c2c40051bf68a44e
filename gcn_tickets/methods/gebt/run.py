"""One GEBT seed: the dense baseline, one search for every ratio pair, the retrained tickets
and their controls, as JSON-safe rows (docs/gebt.md describes every column)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gcn_tickets.methods.early_bird.detector import EarlyBirdDetector
from gcn_tickets.methods.gebt.config import EDGE_WEIGHTS, INITS, GEBTConfig
from gcn_tickets.methods.gebt.model import model_factory, retrain_recipe
from gcn_tickets.methods.gebt.retrain import retrain_masks, retrain_pair
from gcn_tickets.methods.gebt.search import PairTicket, SearchResult, gebt_search
from gcn_tickets.tickets.controls import random_graph_ticket, random_ticket
from gcn_tickets.tickets.costs import training_macs
from gcn_tickets.tickets.dense import train_dense
from gcn_tickets.training.fit import FitResult
from gcn_tickets.training.protocol import Trainer

__all__ = ["run_seed"]


def _trajectory(detector: EarlyBirdDetector) -> dict[str, Any]:
    return {
        "graph": [r.distances["graph"] for r in detector.trajectory],
        "weights": [r.distances["weights"] for r in detector.trajectory],
        "combined": [r.combined for r in detector.trajectory],
        "stats": [
            {g: (None if v is None else v.to_list()) for g, v in r.stats.items()} for r in detector.trajectory
        ],
    }


def _pair_row(
    trainer: Trainer,
    cfg: GEBTConfig,
    seed: int,
    pt: PairTicket,
    res: FitResult | None,
    dense: FitResult | None,
    probe: Any,
) -> dict[str, Any]:
    """The row of one pair: emergence, retrained test, costs, trajectory, detector."""
    eb_macs = training_macs(
        probe, trainer, pt.masks, search_epochs=pt.epoch, retrain_epochs=cfg.retrain_epochs
    )
    full_macs = training_macs(
        probe, trainer, pt.masks, search_epochs=cfg.search_epochs, retrain_epochs=cfg.retrain_epochs
    )
    return {
        "dataset": cfg.dataset,
        "seed": seed,
        "graph_sparsity": pt.graph_sparsity,
        "weight_sparsity": pt.weight_sparsity,
        "fired_epoch": pt.fired_epoch,
        "ticket_epoch": pt.epoch,
        "search_epochs": cfg.search_epochs,
        "init": cfg.init,
        "edge_weights": cfg.edge_weights,
        "test": res.test if res else None,
        "valid": res.valid if res else None,
        "best_epoch": res.best_epoch if res else None,
        "search_seconds": pt.search_seconds,
        "retrain_seconds": res.seconds if res else None,
        "dense_test": dense.test if dense else None,
        "dense_seconds": dense.seconds if dense else None,
        "train_macs": eb_macs["total"],
        "train_macs_full_search": full_macs["total"],
        "dense_train_macs": 3 * eb_macs["dense_epoch"] * cfg.retrain_epochs,
        "inference_macs": eb_macs["ticket_epoch"],
        "dense_inference_macs": eb_macs["dense_epoch"],
        "trajectory": _trajectory(pt.detector),
        "detector": pt.detector.settings(),
    }


def _controls(
    trainer: Trainer,
    cfg: GEBTConfig,
    seed: int,
    pt: PairTicket,
    search: SearchResult,
) -> dict[str, Any]:
    """The last-epoch ticket, a random ticket and the learned weight mask with random edges,
    all retrained the same way (controls get binary edges)."""
    assert pt.masks is not None
    pg, pw = pt.graph_sparsity, pt.weight_sparsity
    last = search.last[(pg, pw)]
    out: dict[str, Any] = {
        "last_test": retrain_pair(trainer, cfg, last, search.theta0, seed=seed).test,
        "last_search_seconds": last.search_seconds,
    }
    rnd = random_ticket(pt.masks, seed, graph_sparsity=pg, weight_sparsity=pw)
    # random_graph: the learned weight mask with random edges (the graph mask alone)
    controls = {"random_test": rnd, "random_graph_test": random_graph_ticket(pt.masks, rnd)}
    for key, ticket in controls.items():
        rr, _ = retrain_masks(
            trainer, cfg, ticket, seed=seed, state=pt.state, theta0=search.theta0, edge_weights="binary"
        )
        out[key] = rr.test
    return out


def _ablation(
    trainer: Trainer,
    cfg: GEBTConfig,
    seed: int,
    pt: PairTicket,
    search: SearchResult,
    res: FitResult,
) -> dict[str, float]:
    """Test of the pair's ticket under every ``init`` × ``edge_weights``."""
    abl = {}
    for init in INITS:
        for ew in EDGE_WEIGHTS:
            if init == cfg.init and ew == cfg.edge_weights:
                abl[f"{init}/{ew}"] = res.test
                continue
            a = retrain_pair(trainer, cfg, pt, search.theta0, seed=seed, init=init, edge_weights=ew)
            abl[f"{init}/{ew}"] = a.test
    return abl


def run_seed(
    trainer: Trainer,
    cfg: GEBTConfig,
    seed: int,
    *,
    ratios: Sequence[tuple[float, float]] | None = None,
    compare: bool = True,
    ablation: tuple[float, float] | None = None,
    keep_history: bool = False,
    retrain_pairs: Sequence[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """Dense baseline, one GEBT search for all ``ratios``, and the retrained tickets.

    For every pair: the early-bird ticket retrained with ``cfg.init`` / ``cfg.edge_weights``;
    with ``compare`` also the ticket drawn at the last search epoch, a random ticket of
    the same sparsities, and the learned weight mask with random edges (``random_graph_test``:
    isolates the graph mask), all retrained the same way (the search then runs the whole budget,
    and the early-bird cost is counted up to the emergence epoch only). With ``ablation``
    = (p_g, p_w): that pair is also retrained with every init and with learned edge weights.

    ``retrain_pairs``: retrain (and compare) only these pairs (default all); the other rows
    carry the emergence epoch and trajectory with ``test = None`` (cheap firing statistics
    on large graphs).

    Returns ``{"dense": {...}, "rows": [...], "search": SearchResult}`` (rows are JSON-safe).
    """
    ratios = list(ratios) if ratios is not None else [(cfg.graph_sparsity, cfg.weight_sparsity)]
    any_retrain = retrain_pairs is None or len(retrain_pairs) > 0
    make_model = model_factory(trainer, cfg)
    dense = train_dense(trainer, make_model, retrain_recipe(cfg), seed=seed)[0] if any_retrain else None
    dense_row = {
        "test": dense.test if dense else None,
        "valid": dense.valid if dense else None,
        "seconds": dense.seconds if dense else None,
    }
    search = gebt_search(trainer, cfg, seed, ratios=ratios, stop=not compare, keep_history=keep_history)
    probe = make_model(seed)
    wanted = None if retrain_pairs is None else {tuple(r) for r in retrain_pairs}
    rows: list[dict[str, Any]] = []
    for (pg, pw), pt in search.pairs.items():
        assert pt.masks is not None and pt.state is not None and pt.epoch is not None
        do_retrain = wanted is None or (pg, pw) in wanted
        res = retrain_pair(trainer, cfg, pt, search.theta0, seed=seed) if do_retrain else None
        row = _pair_row(trainer, cfg, seed, pt, res, dense, probe)
        if res is not None and compare:
            row.update(_controls(trainer, cfg, seed, pt, search))
        if res is not None and ablation is not None and (pg, pw) == tuple(ablation):
            row["ablation"] = _ablation(trainer, cfg, seed, pt, search, res)
        rows.append(row)
    return {"dense": dense_row, "rows": rows, "search": search}
