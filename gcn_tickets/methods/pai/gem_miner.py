"""Gem-Miner (Sreenivasan et al., "Rare Gems", NeurIPS 2022): masks found by training scores.

The weights θ stay frozen at their initial values. Every prunable weight gets
a score ``p ∈ [0, 1]``, initialised ``U[0, 1]`` (seeded), and a flag (1 =
still eligible). The forward pass uses

    w = θ ⊙ m,    m = 1[p > 0.5] ⊙ flag    (hard threshold)

with a straight-through estimator (``∂m/∂p := flag``). The loss is
``CE + λ Σ ‖p‖²`` (default ``λ = 1e-4``); after each optimiser step ``p`` is
projected (clamped) onto ``[0, 1]``. Every ``T`` epochs (``freeze_period``) a
global bottom-k over the scores of the flagged weights clears the flags of
the lowest ``round(r · #flagged)``, with ``r = 1 − density^(1/⌊(E−1)/T⌋)``, so
that after ``⌊(E−1)/T⌋`` rounds the flags reach the target density. The final
mask keeps exactly ``round(density · N)`` weights: the highest scores among
the flagged ones. Freezing and the final mask use the one top-k of
:mod:`gcn_tickets.pruning.topk`: among equal scores (e.g. scores clamped to 0) the
higher flat index is kept.

:func:`mine` returns that mask (the model is untouched); :func:`gem_miner`
also evaluates the masked network at its initial weights ("before"), trains
the weights under the mask in place
(:func:`~gcn_tickets.training.data_trainer.train_weights`, re-exported here; "after")
and reports both accuracies.

Defaults: ``epochs`` 10 and ``T`` 1 for mini-batch data, 200 and 20 for a
full-batch graph; scores by Adam(lr 0.05). Adam is used rather than SGD
because ``∂L/∂p = ∂L/∂w ⊙ θ`` scales with the initial weights: with SGD the
learning rate must be tuned per model (``optimizer="sgd"``), Adam's step does
not depend on that scale. The global freezing can empty a small layer;
:func:`gem_miner` then warns (:class:`~gcn_tickets.methods.pai.collapse.LayerCollapseWarning`):
pass ``names=`` without that layer. Measured behaviour: docs/pai.md.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from gcn_tickets.data.batches import accuracy, is_graph, iter_logits
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.pai.collapse import LayerCollapseWarning, collapse_report
from gcn_tickets.methods.pai.scores import LossFn
from gcn_tickets.pruning.select import check_density, prunable_names
from gcn_tickets.pruning.topk import topk_masks
from gcn_tickets.training.data_trainer import train_weights
from gcn_tickets.training.fit import FitResult

__all__ = ["mine", "gem_miner", "GemMinerResult", "freeze_rate", "straight_through_mask", "train_weights"]


def freeze_rate(density: float, epochs: int, freeze_period: int) -> tuple[float, int]:
    """``(r, rounds)`` with ``rounds = ⌊(E−1)/T⌋`` and ``r = 1 − density^(1/rounds)``."""
    rounds = (epochs - 1) // freeze_period
    if rounds < 1:
        raise ValueError(
            f"Gem-Miner needs at least one freezing round: ⌊(epochs−1)/freeze_period⌋ = "
            f"⌊({epochs}−1)/{freeze_period}⌋ = 0; use more epochs or a smaller freeze_period"
        )
    return 1.0 - density ** (1.0 / rounds), rounds


def _defaults(data: Any, epochs: int | None, freeze_period: int | None) -> tuple[int, int]:
    graph = is_graph(data)
    e = epochs if epochs is not None else (200 if graph else 10)
    t = freeze_period if freeze_period is not None else max(1, (e - 1) // 10 if graph else 1)
    if e < 2 or t < 1:
        raise ValueError(f"need epochs >= 2 and freeze_period >= 1, got {e} and {t}")
    return e, t


def straight_through_mask(p: Tensor, flag: Tensor) -> Tensor:
    """Hard mask ``1[p > 0.5] ⊙ flag`` forward, gradient ``flag`` backward."""
    hard = ((p > 0.5) & flag).to(p.dtype)
    return hard + (p - p.detach()) * flag


def _score_optimizer(
    scores: Mapping[str, Tensor], optimizer: str, lr: float, momentum: float
) -> torch.optim.Optimizer:
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"`optimizer` must be 'sgd' or 'adam', got {optimizer!r}")
    if optimizer == "sgd":
        return torch.optim.SGD(scores.values(), lr=lr, momentum=momentum)
    return torch.optim.Adam(scores.values(), lr=lr)


def _score_epoch(
    work: nn.Module,
    data: Any,
    theta: Mapping[str, Tensor],
    scores: Mapping[str, Tensor],
    flags: Mapping[str, Tensor],
    *,
    opt: torch.optim.Optimizer,
    lam: float,
    loss_fn: LossFn,
) -> None:
    """One epoch of score training: STE forward, ``CE + λ Σ ‖p‖²``, step, clamp to [0, 1]."""
    batches = [None] if is_graph(data) else data
    for batch in batches:
        sub = data if batch is None else (batch[0], batch[1])
        masked = {n: theta[n] * straight_through_mask(scores[n], flags[n]) for n in theta}
        opt.zero_grad(set_to_none=True)
        loss = sum(loss_fn(out, y) for out, y in iter_logits(work, sub, params=masked))
        loss = loss + lam * sum((s**2).sum() for s in scores.values())
        loss.backward()
        opt.step()
        with torch.no_grad():
            for s in scores.values():
                s.clamp_(0.0, 1.0)


def mine(
    model: nn.Module,
    data: Any,
    density: float,
    *,
    names: Sequence[str] | None = None,
    epochs: int | None = None,
    freeze_period: int | None = None,
    lam: float = 1e-4,
    lr: float = 0.05,
    momentum: float = 0.9,
    optimizer: str = "adam",
    seed: int = 0,
    loss_fn: LossFn = F.cross_entropy,
    progress: bool = False,
    return_work: bool = False,
) -> MaskSet:
    """Mine a mask of exactly ``round(density · N)`` weights (see the module docstring).

    Trains the scores of a deep copy of ``model`` in train mode on ``data``
    (a DataLoader of ``(inputs, targets)`` or a PyG Data with ``train_mask``).
    With ``return_work=True`` the masked copy (with its BatchNorm statistics)
    is stored in ``masks.work`` for evaluation.
    """
    density = check_density(density)
    epochs, freeze_period = _defaults(data, epochs, freeze_period)
    rate, rounds = freeze_rate(density, epochs, freeze_period)
    work = copy.deepcopy(model).train()
    names = list(names) if names is not None else prunable_names(work)
    params = dict(work.named_parameters())
    theta = {n: params[n].detach().clone() for n in names}
    for p in work.parameters():
        p.requires_grad_(False)
    gen = torch.Generator().manual_seed(seed)
    scores = {
        n: torch.rand(theta[n].shape, generator=gen, dtype=theta[n].dtype).requires_grad_(True) for n in names
    }
    flags = {n: torch.ones(theta[n].shape, dtype=torch.bool) for n in names}
    opt = _score_optimizer(scores, optimizer, lr, momentum)
    done = 0
    for epoch in tqdm(range(epochs), desc="gem-miner", disable=not progress, leave=False):
        _score_epoch(work, data, theta, scores, flags, opt=opt, lam=lam, loss_fn=loss_fn)
        if (epoch + 1) % freeze_period == 0 and done < rounds:
            _freeze(scores, flags, rate)
            done += 1
    total = sum(t.numel() for t in theta.values())
    flagged = sum(int(f.sum()) for f in flags.values())
    final = topk_masks(
        {n: s.detach() for n, s in scores.items()},
        density,
        allowed=flags if flagged >= round(density * total) else None,
    )
    hard = sum(int(((scores[n] > 0.5) & flags[n]).sum()) for n in names)
    meta = {"method": "gem_miner", "density": density, "epochs": epochs, "freeze_period": freeze_period,
            "freeze_rate": rate, "lam": lam, "seed": seed,
            "hard_threshold_density": hard / total}  # fmt: skip
    out = MaskSet(final, meta=meta)
    if return_work:
        with torch.no_grad():
            for n in names:
                params[n].copy_(theta[n] * final[n].to(theta[n].dtype))
        out.work = work  # type: ignore[attr-defined]
    return out


@torch.no_grad()
def _freeze(scores: Mapping[str, Tensor], flags: dict[str, Tensor], rate: float) -> None:
    """Clear the flags of the ``round(rate · #flagged)`` lowest flagged scores (global)."""
    names = list(scores)
    flagged = sum(int(flags[n].sum()) for n in names)
    if flagged == 0:
        return
    total = sum(flags[n].numel() for n in names)
    k_keep = flagged - round(rate * flagged)
    kept = topk_masks({n: scores[n].detach() for n in names}, max(k_keep, 1) / total, allowed=flags)
    for n in names:
        flags[n] = kept[n]


@dataclass
class GemMinerResult:
    """Mask plus accuracies before (initial weights, mined mask) and after weight training;
    ``training``: the weight training's :class:`~gcn_tickets.training.fit.FitResult`."""

    masks: MaskSet
    acc_before: float
    acc_after: float
    density: float
    split: str
    training: FitResult | None = None


def gem_miner(
    model: nn.Module,
    data: Any,
    density: float,
    *,
    eval_data: Any = None,
    weight_epochs: int | None = None,
    weight_lr: float | None = None,
    weight_decay: float = 5e-4,
    seed: int = 0,
    progress: bool = False,
    **mine_kwargs: Any,
) -> GemMinerResult:
    """Mine a mask, then train ``model``'s weights under it in place.

    Accuracy is measured on ``eval_data`` (a loader), or for a graph on its
    ``test_mask`` nodes. ``acc_before``: the mined mask on the initial weights
    (with the BatchNorm statistics gathered while mining); ``acc_after``: after
    ``weight_epochs`` (default 200 for a graph with Adam lr 0.01, 20 for
    batches with SGD lr 0.05) of weight training under the mask.
    """
    graph = is_graph(data)
    masks = mine(model, data, density, seed=seed, progress=progress, return_work=True, **mine_kwargs)
    work = masks.work  # type: ignore[attr-defined]
    del masks.work  # type: ignore[attr-defined]
    target, split = (data, "test") if graph else (eval_data, "eval")
    if target is None:
        target, split = data, "train"
    acc_before = accuracy(work, target, split="test")
    torch.manual_seed(seed)
    fitted = train_weights(
        model,
        masks,
        data,
        epochs=weight_epochs if weight_epochs is not None else (200 if graph else 20),
        lr=weight_lr if weight_lr is not None else (0.01 if graph else 0.05),
        weight_decay=weight_decay,
        optimizer="adam" if graph else "sgd",
        eval_data=eval_data,
    )
    # the last epoch's test accuracy; on the training batches themselves when there is no eval_data
    acc_after = fitted.final["test"] if split != "train" else accuracy(model, target, split="test")
    rep = collapse_report(model, masks, data=data if graph else None)
    if rep.collapsed:
        warnings.warn(
            f"Gem-Miner at density {density:g} collapsed {rep.collapsed} (empty: {rep.empty}); "
            "exclude small layers (names=..., e.g. without the classifier) or raise the density",
            LayerCollapseWarning,
            stacklevel=2,
        )
    kept = sum(int(m.sum()) for m in masks.weights.values())
    total = sum(m.numel() for m in masks.weights.values())
    if not math.isclose(kept, round(density * total)):
        raise AssertionError("Gem-Miner missed its target count")  # pragma: no cover
    masks.meta.update(
        {"acc_before": acc_before, "acc_after": acc_after, "acc_split": split, "collapsed": rep.collapsed}
    )
    return GemMinerResult(masks, acc_before, acc_after, kept / total, split, training=fitted)
