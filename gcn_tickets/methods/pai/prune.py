"""``prune_at_init``: any registered method -> a :class:`~gcn_tickets.masks.maskset.MaskSet`.

Four separate pieces (ALGORITHMS.md section 3, docs/pai.md):

1. prunable tensors: :func:`gcn_tickets.pruning.select.prunable_names`;
2. a score or a mask builder from the registry (:mod:`.registry`, built-ins in :mod:`.builtin`);
3. scores → mask: :func:`gcn_tickets.pruning.topk.topk_masks`, exactly ``round(density·N)``
   kept (global) or ``round(density·n_i)`` per tensor (``scope="layer"``), ties by the one
   rule of :mod:`gcn_tickets.pruning.topk` (the higher flat index is kept);
4. schedule: :func:`gcn_tickets.pruning.schedules.schedule_densities`, every round
   re-scores the masked model and never un-prunes a weight.

After pruning, :func:`.collapse.collapse_report` lists collapsed layers; a warning
(:class:`.collapse.LayerCollapseWarning`) or, with ``strict=True``, an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.pai.collapse import (
    CollapseReport,
    LayerCollapseError,
    LayerCollapseWarning,
    collapse_report,
)
from gcn_tickets.methods.pai.registry import PaIMethod, PruneContext, ScoreFn, get_method
from gcn_tickets.methods.pai.scores import LossFn
from gcn_tickets.pruning.schedules import SCHEDULES, schedule_densities
from gcn_tickets.pruning.select import check_choice, check_density, check_iterations, prunable_names
from gcn_tickets.pruning.topk import topk_masks

__all__ = ["prune_at_init", "iterative_masks"]


def iterative_masks(
    score: ScoreFn,
    ctx: PruneContext,
    *,
    iterations: int,
    scope: str = "global",
    schedule: str = "exponential",
    desc: str = "",
) -> dict[str, Tensor]:
    """Score → keep top-k, for each density of the schedule, re-scoring the masked model.

    Round ``k`` keeps the top ``schedule_densities(ctx.density, iterations, schedule)[k]``
    of ``score(ctx, masks_{k-1})`` among the entries kept so far (``masks_0 = None``).
    """
    masks: dict[str, Tensor] | None = None
    steps = schedule_densities(ctx.density, iterations, schedule)
    bar = tqdm(steps, desc=desc, disable=not ctx.progress or iterations == 1, leave=False)
    for d in bar:
        scores = score(ctx, masks)
        masks = topk_masks(scores, d, scope=scope, allowed=masks)
    assert masks is not None
    return masks


def _warn_collapse(report: CollapseReport, method: str, density: float, *, strict: bool) -> None:
    """Warn (:class:`LayerCollapseWarning`) or raise (``strict``) when layers collapsed."""
    if not report.collapsed:
        return
    msg = (
        f"{method} at density {density:g} collapsed {len(report.collapsed)} layer(s): "
        f"empty {report.empty}, no input-output path {report.disconnected}. "
        "Use a higher density, scope='layer', or synflow."
    )
    if strict:
        raise LayerCollapseError(msg)
    warnings.warn(msg, LayerCollapseWarning, stacklevel=3)


def _checked_method(method: str, density: float, scope: str, schedule: str, data: Any) -> PaIMethod:
    """The registered method, after validating the arguments every method shares."""
    spec = get_method(method)
    check_density(density)
    check_choice("scope", scope, ("global", "layer"))
    check_choice("schedule", schedule, SCHEDULES)
    if spec.needs_data and data is None:
        raise ValueError(
            f"method '{method}' needs data=...: a DataLoader of (inputs, targets), an "
            "(inputs, targets) tuple, or a PyG Data with train_mask"
        )
    return spec


def prune_at_init(
    model: nn.Module,
    method: str,
    density: float,
    *,
    data: Any = None,
    input_shape: Sequence[int] | None = None,
    iterations: int | None = None,
    scope: str = "global",
    schedule: str = "exponential",
    include_first: bool = True,
    include_last: bool = True,
    exclude: Iterable[str] = (),
    seed: int = 0,
    samples_per_class: int | None = 10,
    temperature: float = 200.0,
    loss_fn: LossFn = F.cross_entropy,
    strict: bool = False,
    progress: bool = False,
    gem_miner_options: Mapping[str, Any] | None = None,
) -> MaskSet:
    """Prune ``model`` at initialisation and return its :class:`MaskSet`.

    The model is never modified (apply the result with
    :func:`gcn_tickets.masks.apply.apply_masks`).

    Args:
        method: one of :func:`gcn_tickets.methods.pai.methods` (``METHODS``).
        density: fraction of prunable weights KEPT, ``0 < density <= 1``;
            exactly ``round(density·N)`` are kept (``scope="layer"``:
            ``round(density·n_i)`` per tensor; ``uniform``: per tensor; ``erk``:
            global total).
        data: a DataLoader of ``(inputs, targets)``, an ``(inputs, targets)``
            tuple, or a PyG ``Data`` with ``train_mask``; needed by snip,
            grasp, itersnip and gem_miner.
        input_shape: input shape without batch for SynFlow and the collapse
            check (default ``model.input_shape``; a GNN uses ``data``).
        iterations: pruning rounds (default 100 for synflow/itersnip, 1
            otherwise); for gem_miner the number of score epochs.
        scope: ``"global"`` (default) or ``"layer"``.
        schedule: ``"exponential"`` (default, ``density^(k/n)``) or ``"linear"``.
        include_first, include_last, exclude: which weights are prunable
            (see :func:`gcn_tickets.pruning.select.prunable_names`).
        seed: seeds rand/uniform/erk and gem_miner.
        samples_per_class: examples per class for snip/grasp/itersnip (10).
        temperature: GraSP temperature (200).
        strict: raise :class:`LayerCollapseError` instead of warning.
        gem_miner_options: keyword arguments of :func:`gcn_tickets.methods.pai.gem_miner.mine`.

    Returns:
        MaskSet over the prunable weights; ``meta`` records the method,
        options and the collapsed layers.
    """
    spec = _checked_method(method, density, scope, schedule, data)
    density = check_density(density)
    if input_shape is None:
        input_shape = getattr(model, "input_shape", None)
    names = prunable_names(model, include_first=include_first, include_last=include_last, exclude=exclude)
    ctx = PruneContext(
        model=model, names=names, density=density, generator=torch.Generator().manual_seed(seed),
        data=data, input_shape=input_shape, seed=seed, samples_per_class=samples_per_class,
        temperature=temperature, loss_fn=loss_fn, iterations=iterations, progress=progress,
        options=dict(gem_miner_options or {}),
    )  # fmt: skip
    n_iter = check_iterations(iterations if iterations is not None else spec.iterations)
    if spec.kind == "mask":
        weights = dict(spec.fn(ctx))
    else:
        weights = iterative_masks(
            spec.fn, ctx, iterations=n_iter, scope=scope, schedule=schedule, desc=method
        )
    report = collapse_report(model, weights, input_shape=input_shape, data=data)
    meta = {
        "method": method,
        "density": density,
        "scope": scope,
        "schedule": schedule,
        "iterations": n_iter,
        "seed": seed,
        "include_first": include_first,
        "include_last": include_last,
        "collapsed": report.collapsed,
        "paths_checked": report.checked_paths,
    }
    masks = MaskSet(weights, meta=meta)
    _warn_collapse(report, method, density, strict=strict)
    return masks
