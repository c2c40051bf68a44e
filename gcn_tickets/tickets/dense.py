"""The dense model every ticket is compared with: its masks (round 0) and its training.

The dense baseline is ``make_model(seed)`` trained with the ticket's :class:`Recipe` on the
full graph, test at the best validation (ALGORITHMS.md section 5, docs/dense_baselines.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.joint import gcn_weight_names, plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.models.gcn import count_parameters
from gcn_tickets.tickets.retrain import ModelFactory, Recipe
from gcn_tickets.training.fit import FitResult, fit_adam, summarize
from gcn_tickets.training.protocol import Trainer

__all__ = ["dense_masks", "train_dense", "dense_runs"]


def dense_masks(trainer: Trainer, model: nn.Module) -> MaskSet:
    """Every GCN weight and every undirected edge kept (round 0); no graph mask on
    graph-level tasks, whose graphs differ per sample."""
    graph = None
    if trainer.edge_index is not None:  # graph-level tasks: weight masks only
        und, _ = undirected_edges(trainer.edge_index, trainer.num_nodes)
        graph = torch.ones(und.size(1), dtype=torch.bool)
    sd = plain_state_dict(model)
    return MaskSet(
        {n: torch.ones_like(sd[n], dtype=torch.bool) for n in gcn_weight_names(model)}, graph, {"round": 0}
    )


def train_dense(
    trainer: Trainer,
    make_model: ModelFactory,
    recipe: Recipe,
    *,
    seed: int,
    reseed: bool = True,
    progress: bool = False,
    desc: str = "dense",
) -> tuple[FitResult, nn.Module]:
    """Train ``make_model(seed)`` on the full graph with ``recipe``.

    ``reseed`` (default True) re-seeds torch with ``seed`` before training (as tickets are
    retrained); False trains on from the RNG state the model draw left.
    """
    model = make_model(seed)
    res = fit_adam(
        model,
        trainer,
        epochs=recipe.epochs,
        lr=recipe.lr,
        weight_decay=recipe.weight_decay,
        seed=seed if reseed else None,
        eval_every=recipe.eval_every,
        progress=progress,
        desc=desc,
    )
    return res, model


def dense_runs(
    trainer: Trainer,
    make_model: ModelFactory,
    recipe: Recipe,
    *,
    seeds: Iterable[int],
    progress: bool = True,
) -> dict[str, Any]:
    """The dense model for each seed (no re-seed after the draw), test at best validation.

    Returns ``{"dataset", "metric", "params", "runs": [{seed, valid, test, best_epoch,
    seconds}], "valid": summary, "test": summary}`` (summary: mean, std, n).
    """
    task = trainer.task
    runs = []
    model = None
    for s in seeds:
        r, model = train_dense(
            trainer, make_model, recipe, seed=s, reseed=False, progress=progress, desc=f"{task.name} seed {s}"
        )
        runs.append(
            {"seed": s, "valid": r.valid, "test": r.test, "best_epoch": r.best_epoch, "seconds": r.seconds}
        )
    if model is None:
        raise ValueError("`seeds` is empty: give at least one seed")
    params, _ = count_parameters(model)
    return {
        "dataset": task.name,
        "metric": task.metric,
        "params": params,
        "runs": runs,
        "valid": summarize(x["valid"] for x in runs),
        "test": summarize(x["test"] for x in runs),
    }
