"""One fit loop: train, evaluate every ``eval_every`` epochs, keep the test metric at the
best validation (as OGB does); :func:`summarize` gives mean ± unbiased std over seeds."""

from __future__ import annotations

import copy
import math
import random
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from gcn_tickets.training.trainers import GraphTrainer, LinkTrainer

__all__ = ["seed_everything", "FitResult", "fit", "fit_adam", "summarize"]


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class FitResult:
    """Outcome of :func:`fit`: metrics at the best-validation epoch."""

    best_epoch: int
    valid: float
    test: float
    train: float
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    best_state: dict[str, Any] | None = None


def fit(
    model: nn.Module,
    trainer,
    *,
    epochs: int,
    optimizers: list[torch.optim.Optimizer],
    edge_index: Tensor | None = None,
    edge_weight_fn: Callable[[], Tensor | None] | None = None,
    extra_loss: Callable[[Tensor, Tensor], Tensor] | None = None,
    after_backward: Callable[[], None] | None = None,
    after_step: Callable[[], None] | None = None,
    snapshot: Callable[[], dict[str, Any]] | None = None,
    eval_every: int = 1,
    progress: bool = False,
    desc: str = "train",
) -> FitResult:
    """Train ``model`` for ``epochs`` epochs; keep the test metric at the best validation.

    ``edge_weight_fn`` returns the edge weights (a learned graph mask) each step;
    ``extra_loss(out, edge_weight)`` adds terms (e.g. mask L1 or auxiliary losses);
    ``after_backward`` edits gradients (UGS sub-gradient L1); ``after_step`` runs after
    the optimizer steps (proximal steps, re-masking); ``snapshot()`` is called at each
    new best-validation epoch and its value returned as ``best_state``.
    Ties in validation keep the earlier epoch.
    """
    from tqdm.auto import tqdm

    ei = edge_index if edge_index is not None else trainer.edge_index
    best = FitResult(best_epoch=-1, valid=-math.inf, test=math.nan, train=math.nan)
    t0 = time.perf_counter()
    model.train()
    it = tqdm(range(epochs), desc=desc, leave=False, disable=not progress)

    def optimise(loss: Tensor) -> None:
        for opt in optimizers:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        if after_backward:
            after_backward()
        for opt in optimizers:
            opt.step()
        if after_step:
            after_step()

    for epoch in it:
        if isinstance(trainer, GraphTrainer):
            for loss in trainer.loss_batches(model):
                optimise(loss)
        else:
            steps = trainer.batches() if isinstance(trainer, LinkTrainer) else [None]
            for batch in steps:
                ew = edge_weight_fn() if edge_weight_fn else None
                if batch is None:
                    loss, out = trainer.loss(model, ei, ew)
                else:
                    loss, out = trainer.loss(model, ei, ew, batch)
                if extra_loss is not None:
                    loss = loss + extra_loss(out, ew)
                optimise(loss)
        if (epoch + 1) % eval_every and epoch != epochs - 1:
            continue
        with torch.no_grad():
            ew = edge_weight_fn() if edge_weight_fn else None
        res = trainer.evaluate(model, ei, ew)
        res["epoch"] = epoch
        res["seconds"] = time.perf_counter() - t0  # wall-clock since the start of fit
        best.history.append(res)
        if res["valid"] > best.valid:
            best.best_epoch, best.valid, best.test, best.train = (
                epoch,
                res["valid"],
                res["test"],
                res["train"],
            )
            if snapshot is not None:
                best.best_state = copy.deepcopy(snapshot())
        it.set_postfix(valid=f"{best.valid:.4f}", test=f"{best.test:.4f}")
    best.seconds = time.perf_counter() - t0
    return best


def fit_adam(
    model: nn.Module,
    trainer,
    *,
    epochs: int,
    lr: float,
    weight_decay: float,
    seed: int | None = None,
    **fit_kwargs: Any,
) -> FitResult:
    """:func:`fit` with one Adam over all of ``model``'s parameters (a dense model, or a
    ticket whose masks are frozen). ``seed`` re-seeds torch first (dropout draws)."""
    if seed is not None:
        torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    return fit(model, trainer, epochs=epochs, optimizers=[opt], **fit_kwargs)


def summarize(values: Iterable[float]) -> dict[str, float]:
    """Mean and unbiased (n−1) std; std is 0.0 for a single value."""
    v = [float(x) for x in values]
    if not v:
        return {"mean": math.nan, "std": math.nan, "n": 0}
    return {
        "mean": statistics.fmean(v),
        "std": statistics.stdev(v) if len(v) > 1 else 0.0,
        "n": len(v),
    }
