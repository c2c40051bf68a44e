"""Pruning at initialisation (PaI): Rand, ERK/uniform, Mag, SNIP, GraSP, SynFlow, iterSNIP, Gem-Miner.

:func:`prune_at_init` runs any method of the registry (:func:`methods`, also
``METHODS``); a new method is a function plus one :func:`register_score` (or
:func:`register_mask`) line. Scores live in :mod:`.scores`, the layer-collapse check
in :mod:`.collapse`, Gem-Miner in :mod:`.gem_miner`; the method-independent pieces
(prunable tensors, top-k, distributions, schedules) in :mod:`gcn_tickets.pruning`.
See docs/pai.md.
"""

from typing import Any

from gcn_tickets.methods.pai import builtin  # noqa: F401  (registers the built-in methods)
from gcn_tickets.methods.pai.collapse import (
    CollapseReport,
    LayerCollapseError,
    LayerCollapseWarning,
    collapse_report,
    path_counts,
)
from gcn_tickets.methods.pai.gem_miner import GemMinerResult, freeze_rate, gem_miner, mine
from gcn_tickets.methods.pai.prune import iterative_masks, prune_at_init
from gcn_tickets.methods.pai.registry import (
    PaIMethod,
    PruneContext,
    get_method,
    methods,
    register_mask,
    register_score,
    unregister,
)
from gcn_tickets.methods.pai.scores import (
    grasp_scores,
    mag_scores,
    rand_scores,
    snip_scores,
    synflow_scores,
)
from gcn_tickets.pruning.distributions import erk_densities, exact_counts, random_masks
from gcn_tickets.pruning.schedules import schedule_densities
from gcn_tickets.pruning.select import prunable_names
from gcn_tickets.pruning.topk import topk_masks
from gcn_tickets.training.data_trainer import train_weights

__all__ = [
    "METHODS",
    "methods",
    "register_score",
    "register_mask",
    "unregister",
    "get_method",
    "PaIMethod",
    "PruneContext",
    "prune_at_init",
    "iterative_masks",
    "LayerCollapseError",
    "LayerCollapseWarning",
    "CollapseReport",
    "collapse_report",
    "path_counts",
    "rand_scores",
    "mag_scores",
    "snip_scores",
    "grasp_scores",
    "synflow_scores",
    "gem_miner",
    "mine",
    "GemMinerResult",
    "freeze_rate",
    "train_weights",
    "prunable_names",
    "topk_masks",
    "erk_densities",
    "exact_counts",
    "random_masks",
    "schedule_densities",
]


def __getattr__(name: str) -> Any:
    if name == "METHODS":  # derived from the registry at every access
        return methods()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
