"""Retraining GEBT tickets with the shared ticket layer (:mod:`gcn_tickets.tickets`).

The ticket's pruned edges are removed from ``edge_index`` and its weight mask is frozen.
Initialisation ``init`` (default ``cfg.init``): ``inherit`` (Θ at the emergence epoch; the
paper), ``rewind`` (Θ0) or ``reinit`` (a fresh draw from seed ``seed + 10_000``). Edge
weights ``edge_weights`` (default ``cfg.edge_weights``): ``binary`` or ``learned`` (kept
edges keep |s| from the emergence epoch, frozen). ``retrain_epochs`` (default 200) of
Adam(``lr``, ``weight_decay``), test at the best validation. See docs/gebt.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor

from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.gebt.config import GEBTConfig
from gcn_tickets.methods.gebt.model import model_factory, retrain_recipe
from gcn_tickets.methods.gebt.search import PairTicket
from gcn_tickets.tickets.retrain import Ticket, retrain_ticket
from gcn_tickets.training.fit import FitResult
from gcn_tickets.training.protocol import Trainer

__all__ = ["retrain_masks", "retrain_pair"]


def retrain_masks(
    trainer: Trainer,
    cfg: GEBTConfig,
    masks: MaskSet,
    *,
    seed: int,
    init: str | None = None,
    edge_weights: str | None = None,
    state: Mapping[str, Tensor] | None = None,
    theta0: Mapping[str, Tensor] | None = None,
    graph_scores: Tensor | None = None,
) -> tuple[FitResult, Ticket]:
    """Retrain the ticket ``masks`` with ``cfg``'s model and recipe (model, masks, fit: ``seed``)."""
    return retrain_ticket(
        trainer,
        model_factory(trainer, cfg),
        masks,
        retrain_recipe(cfg),
        seed=seed,
        init=init or cfg.init,
        edge_weights=edge_weights or cfg.edge_weights,
        state=state,
        theta0=theta0,
        graph_scores=graph_scores,
    )


def retrain_pair(
    trainer: Trainer,
    cfg: GEBTConfig,
    pt: PairTicket,
    theta0: Mapping[str, Tensor],
    *,
    seed: int,
    **kwargs: Any,
) -> FitResult:
    """:func:`retrain_masks` the ticket of ``pt`` (its masks, Θ and graph scores at its epoch);
    ``kwargs`` go to :func:`retrain_masks` (``init``, ``edge_weights``)."""
    if pt.masks is None:
        raise ValueError("this pair has no ticket yet (the search did not reach it)")
    return retrain_masks(
        trainer,
        cfg,
        pt.masks,
        seed=seed,
        state=pt.state,
        theta0=theta0,
        graph_scores=pt.graph_scores,
        **kwargs,
    )[0]
