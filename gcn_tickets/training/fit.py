"""One fit loop: train, evaluate every ``eval_every`` epochs, keep the test metric at the
best validation (as OGB does); :func:`summarize` gives mean ± unbiased std over seeds.

The loop knows no task: a :class:`~gcn_tickets.training.protocol.FitTrainer` supplies each
epoch's batches, the loss of one batch and the evaluation (node, link, graph and image
trainers alike). See docs/ALGORITHMS.md for the recipes built on it (UGS, GEBT).
"""

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

from gcn_tickets.training.protocol import FitTrainer

__all__ = ["seed_everything", "check_positive_int", "FitResult", "fit", "fit_adam", "summarize"]


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def check_positive_int(name: str, value: object, fix: str) -> int:
    """``value`` if it is an integer >= 1 (not a bool), else ValueError naming ``name`` and ``fix``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1, got {value!r}; {fix}")
    return int(value)


@dataclass
class FitResult:
    """Outcome of :func:`fit`: metrics at the best-validation epoch.

    ``history`` holds one record per evaluation (``train``, ``valid``, ``test``, ``epoch``,
    ``seconds`` since the start); :attr:`final` is the last one (the last epoch's metrics:
    ``fit`` always evaluates the last epoch). ``extras`` holds a method's diagnostics.
    """

    best_epoch: int
    valid: float
    test: float
    train: float
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    best_state: dict[str, Any] | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> dict[str, float]:
        """The last evaluation's record (``{}`` before any)."""
        return self.history[-1] if self.history else {}


def _evaluate(
    trainer: FitTrainer,
    model: nn.Module,
    edge_index: Tensor | None,
    edge_weight_fn: Callable[[], Tensor | None] | None,
) -> dict[str, float]:
    with torch.no_grad():
        ew = edge_weight_fn() if edge_weight_fn else None
    return trainer.evaluate(model, edge_index, ew)


def fit(
    model: nn.Module,
    trainer: FitTrainer,
    *,
    epochs: int,
    optimizers: list[torch.optim.Optimizer],
    edge_index: Tensor | None = None,
    edge_weight_fn: Callable[[], Tensor | None] | None = None,
    extra_loss: Callable[[Tensor, Tensor], Tensor] | None = None,
    after_backward: Callable[[], None] | None = None,
    after_step: Callable[[], None] | None = None,
    after_epoch: Callable[[int], None] | None = None,
    should_stop: Callable[[int], bool] | None = None,
    snapshot: Callable[[], dict[str, Any]] | None = None,
    eval_every: int = 1,
    progress: bool = False,
    desc: str = "train",
) -> FitResult:
    """Train ``model`` for ``epochs`` epochs; keep the test metric at the best validation.

    Each step of an epoch (``for batch in trainer.epoch_batches()``) computes
    ``loss, out = trainer.loss(model, edge_index, edge_weight_fn(), batch)``, adds
    ``extra_loss(out, edge_weight)`` (e.g. mask L1 or auxiliary losses), zeroes the
    gradients, backpropagates, calls ``after_backward`` (gradient edits: UGS sub-gradient
    L1), steps every optimizer and calls ``after_step`` (proximal steps, re-masking).
    ``after_epoch(epoch)`` runs after the epoch's steps, before its evaluation (a learning
    rate schedule); ``should_stop(epoch)`` is asked next, every epoch (a detector's stop at
    emergence): True makes ``epoch`` the last one. Evaluation runs every ``eval_every`` epochs
    and after the last (also a last one chosen by ``should_stop``); ``snapshot()`` is called
    at each new best-validation epoch and its value returned as ``best_state``. Ties in
    validation keep the earlier epoch. ``edge_index`` defaults to ``trainer.edge_index``.
    """
    from tqdm.auto import tqdm

    check_positive_int("epochs", epochs, "pass the number of training epochs, e.g. epochs=200")
    check_positive_int("eval_every", eval_every, "use eval_every=1 to evaluate after every epoch")
    ei = edge_index if edge_index is not None else trainer.edge_index
    best = FitResult(best_epoch=-1, valid=-math.inf, test=math.nan, train=math.nan)
    t0 = time.perf_counter()
    model.train()
    it = tqdm(range(epochs), desc=desc, leave=False, disable=not progress)
    for epoch in it:
        for batch in trainer.epoch_batches():
            ew = edge_weight_fn() if edge_weight_fn else None
            loss, out = trainer.loss(model, ei, ew, batch)
            if extra_loss is not None:
                loss = loss + extra_loss(out, ew)
            for opt in optimizers:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            if after_backward:
                after_backward()
            for opt in optimizers:
                opt.step()
            if after_step:
                after_step()
        if after_epoch:
            after_epoch(epoch)
        last = (should_stop is not None and should_stop(epoch)) or epoch == epochs - 1
        if (epoch + 1) % eval_every and not last:
            continue
        res = _evaluate(trainer, model, ei, edge_weight_fn)
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
        if last:
            break
    best.seconds = time.perf_counter() - t0
    return best


def fit_adam(
    model: nn.Module,
    trainer: FitTrainer,
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
