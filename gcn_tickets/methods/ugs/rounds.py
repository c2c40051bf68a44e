"""UGS rounds: prune ``graph_sparsity_per_round`` of the remaining edges and
``weight_sparsity_per_round`` of the remaining weights by the learned scores (or at random),
never un-pruning.

All randomness of a round derives from (seed, round, mode) (:func:`round_seed`), so a
resumed run gives equal masks. See ALGORITHMS.md section 1 and docs/ugs.md.
"""

from __future__ import annotations

import hashlib
from typing import Any

import torch
from torch import Tensor, nn

from gcn_tickets.masks.joint import plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.methods.ugs.model import initial_model
from gcn_tickets.methods.ugs.search import Mode, search_scores
from gcn_tickets.pruning.topk import prune_lowest
from gcn_tickets.tickets.controls import random_prune
from gcn_tickets.tickets.dense import dense_masks
from gcn_tickets.training.protocol import Trainer

__all__ = ["round_seed", "ugs_round", "initial_state", "ugs_prune"]


def round_seed(seed: int, round_: int, mode: str) -> int:
    """A seed for (seed, round, mode), stable across processes: resumes give equal masks."""
    h = hashlib.sha256(f"{seed}/{round_}/{mode}".encode()).hexdigest()
    return int(h[:8], 16)


def ugs_round(
    trainer: Trainer,
    cfg: UGSConfig,
    mode: Mode,
    theta0: dict[str, Tensor],
    masks: MaskSet,
    seed: int,
    round_: int,
    *,
    model_seed: int,
) -> tuple[MaskSet, dict[str, Any]]:
    """One pruning round: scores (search or random) -> new masks (never un-prune).

    Returns the new masks and ``info`` (``{"search": {best_epoch, valid, test, seconds,
    unreached_edges, edges_without_gradient}}`` for the learned modes, ``{}`` for random).
    """
    rs = round_seed(seed, round_, mode)
    meta = {"mode": mode, "round": round_, "seed": seed}
    if mode == "random":
        gen = torch.Generator().manual_seed(rs)
        new = random_prune(
            masks,
            graph_sparsity=cfg.graph_sparsity_per_round,
            weight_sparsity=cfg.weight_sparsity_per_round,
            generator=gen,
            meta=meta,
        )
        return new, {}
    scores = search_scores(trainer, cfg, mode, theta0, masks, rs, model_seed=model_seed)
    new_g = None
    if masks.graph is not None:
        new_g = prune_lowest({"g": scores.graph}, {"g": masks.graph}, cfg.graph_sparsity_per_round)["g"]
    new_w = prune_lowest(scores.weights, dict(masks.weights), cfg.weight_sparsity_per_round)
    search = scores.fit
    info = {
        "search": {
            "best_epoch": search.best_epoch,
            "valid": search.valid,
            "test": search.test,
            "seconds": search.seconds,
            **scores.extras,
        }
    }
    return MaskSet(new_w, new_g, meta), info


def initial_state(
    trainer: Trainer, cfg: UGSConfig, seed: int
) -> tuple[nn.Module, dict[str, Tensor], MaskSet]:
    """Round 0 of ``seed``: the model at Θ0, Θ0 (plain names) and the dense masks."""
    base = initial_model(trainer, cfg, seed)
    return base, plain_state_dict(base), dense_masks(trainer, base)


def ugs_prune(
    trainer: Trainer,
    cfg: UGSConfig,
    mode: Mode,
    seed: int,
    *,
    rounds: int,
) -> tuple[dict[str, Tensor], MaskSet]:
    """The UGS schedule to round ``rounds`` without retraining the intermediate tickets:
    returns Θ0 and the masks after the last round (equal to :func:`run_ugs`'s)."""
    _, theta0, masks = initial_state(trainer, cfg, seed)
    for r in range(1, rounds + 1):
        masks, _ = ugs_round(trainer, cfg, mode, theta0, masks, seed, r, model_seed=seed)
    return theta0, masks
