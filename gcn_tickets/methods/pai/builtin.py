"""The built-in pruning-at-init methods, registered in the order of ``METHODS``.

rand, mag, snip, grasp, synflow, itersnip are scores (:mod:`.scores`); uniform and erk
random masks with a per-tensor distribution (:mod:`gcn_tickets.pruning.distributions`);
gem_miner a trained mask (:mod:`.gem_miner`). SynFlow and iterSNIP default to 100
rounds, the others to one. Working copies (the linearised float64 network for SynFlow,
the eval copy and the balanced subset for SNIP / GraSP) are built once per call and
re-scored on every round.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from torch import Tensor, nn

from gcn_tickets.methods.pai.gem_miner import mine
from gcn_tickets.methods.pai.registry import PruneContext, register_mask, register_score
from gcn_tickets.methods.pai.scores import (
    ScoringSubset,
    grasp_on,
    linearised_copy,
    mag_scores,
    params_of,
    rand_scores,
    scoring_subset,
    set_masked,
    snip_on,
    synflow_inputs,
    synflow_on,
)
from gcn_tickets.pruning.distributions import erk_counts, random_masks, uniform_counts

__all__: list[str] = []

Masks = Mapping[str, Tensor] | None


def _originals(work: nn.Module, names: list[str]) -> dict[str, Tensor]:
    return {n: p.detach().clone() for n, p in params_of(work).items() if n in set(names)}


def _linearised(ctx: PruneContext) -> tuple[nn.Module, dict[str, Tensor], tuple[Any, ...]]:
    work = linearised_copy(ctx.model)
    inputs = synflow_inputs(work, ctx.input_shape, ctx.data)
    return work, _originals(work, ctx.names), inputs


def _eval_copy(ctx: PruneContext) -> tuple[nn.Module, dict[str, Tensor], ScoringSubset]:
    work = copy.deepcopy(ctx.model).eval()
    prep = scoring_subset(work, ctx.data, ctx.samples_per_class)
    return work, _originals(work, ctx.names), prep


def _rand(ctx: PruneContext, masks: Masks) -> dict[str, Tensor]:
    return rand_scores(ctx.model, ctx.names, generator=ctx.generator)


def _mag(ctx: PruneContext, masks: Masks) -> dict[str, Tensor]:
    return mag_scores(ctx.model, ctx.names)


def _snip(ctx: PruneContext, masks: Masks) -> dict[str, Tensor]:
    work, orig, prep = ctx.cached("eval_copy", lambda: _eval_copy(ctx))
    set_masked(work, orig, masks)
    return snip_on(work, ctx.names, orig, prep, ctx.loss_fn)


def _grasp(ctx: PruneContext, masks: Masks) -> dict[str, Tensor]:
    work, orig, prep = ctx.cached("eval_copy", lambda: _eval_copy(ctx))
    set_masked(work, orig, masks)
    return grasp_on(work, ctx.names, prep, ctx.temperature, ctx.loss_fn)


def _synflow(ctx: PruneContext, masks: Masks) -> dict[str, Tensor]:
    work, orig, inputs = ctx.cached("linearised", lambda: _linearised(ctx))
    set_masked(work, orig, masks)
    return synflow_on(work, ctx.names, inputs)


def _uniform(ctx: PruneContext) -> dict[str, Tensor]:
    return random_masks(ctx.shapes, uniform_counts(ctx.shapes, ctx.density), ctx.generator)


def _erk(ctx: PruneContext) -> dict[str, Tensor]:
    return random_masks(ctx.shapes, erk_counts(ctx.shapes, ctx.density), ctx.generator)


def _gem_miner(ctx: PruneContext) -> dict[str, Tensor]:
    opts = dict(ctx.options)
    if ctx.iterations is not None:
        opts["epochs"] = ctx.iterations
    found = mine(
        ctx.model, ctx.data, ctx.density, names=ctx.names, seed=ctx.seed, progress=ctx.progress, **opts
    )
    return found.weights


register_score("rand", _rand, needs_data=False)
register_mask("uniform", _uniform, needs_data=False)
register_mask("erk", _erk, needs_data=False)
register_score("mag", _mag, needs_data=False)
register_score("snip", _snip, needs_data=True)
register_score("grasp", _grasp, needs_data=True)
register_score("synflow", _synflow, needs_data=False, iterations=100)
register_score("itersnip", _snip, needs_data=True, iterations=100)
register_mask("gem_miner", _gem_miner, needs_data=True)
