"""The registry of pruning-at-init methods: a new method is a function plus one line.

Two kinds of entry:

- a **score** ``fn(ctx, masks) -> {name: scores}`` (higher = kept), re-scored on
  every round of the schedule with the masks of the previous round (``None`` at the
  first); the driver keeps the top-k (:func:`gcn_tickets.pruning.topk.topk_masks`);
- a **mask** builder ``fn(ctx) -> {name: bool mask}`` with exact counts (random
  distributions, Gem-Miner).

``ctx`` is a :class:`PruneContext`: the model (never to be modified), the prunable
names, the target density, the data and the options of
:func:`gcn_tickets.methods.pai.prune_at_init`, and a cache for working copies that
should live across rounds. Example::

    def toy_scores(ctx, masks):
        return {n: p.detach().abs() for n, p in ctx.model.named_parameters() if n in ctx.names}

    register_score("toy", toy_scores, needs_data=False)
    prune_at_init(model, "toy", 0.1)

:func:`methods` (and ``METHODS``) lists the registered names in registration order;
:func:`prune_at_init`, the CLI choices and the error messages read it at call time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.methods.pai.scores import LossFn
from gcn_tickets.pruning.select import check_choice

__all__ = [
    "PruneContext",
    "PaIMethod",
    "ScoreFn",
    "MaskFn",
    "register_score",
    "register_mask",
    "unregister",
    "methods",
    "get_method",
]


@dataclass
class PruneContext:
    """What a pruning-at-init method may read (see the module docstring).

    ``iterations`` is the caller's value (``None`` = the method's default) and
    ``options`` the method-specific keyword options (``gem_miner_options``).
    """

    model: nn.Module
    names: list[str]
    density: float
    generator: torch.Generator
    data: Any = None
    input_shape: Sequence[int] | None = None
    seed: int = 0
    samples_per_class: int | None = 10
    temperature: float = 200.0
    loss_fn: LossFn = F.cross_entropy
    iterations: int | None = None
    progress: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """``{name: shape}`` of the prunable tensors."""
        params = dict(self.model.named_parameters())
        return {n: tuple(params[n].shape) for n in self.names}

    @property
    def total(self) -> int:
        """Number of prunable entries ``N``."""
        return sum(math.prod(s) for s in self.shapes.values())

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()`` on the first call with ``key``, the same object afterwards."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


ScoreFn = Callable[[PruneContext, Mapping[str, Tensor] | None], Mapping[str, Tensor]]
MaskFn = Callable[[PruneContext], Mapping[str, Tensor]]


@dataclass(frozen=True)
class PaIMethod:
    """One registered method: ``kind`` "score" (iterative top-k) or "mask" (masks directly)."""

    name: str
    fn: Callable[..., Mapping[str, Tensor]]
    kind: Literal["score", "mask"]
    needs_data: bool
    iterations: int = 1


_REGISTRY: dict[str, PaIMethod] = {}


def _add(entry: PaIMethod, replace: bool) -> None:
    if not isinstance(entry.name, str) or not entry.name:
        raise ValueError(f"a method name must be a non-empty string, got {entry.name!r}")
    if entry.name in _REGISTRY and not replace:
        raise ValueError(f"method {entry.name!r} is already registered; pass replace=True to override it")
    if isinstance(entry.iterations, bool) or not isinstance(entry.iterations, int) or entry.iterations < 1:
        raise ValueError(f"`iterations` must be an integer >= 1, got {entry.iterations!r}")
    _REGISTRY[entry.name] = entry


def register_score(
    name: str, fn: ScoreFn, *, needs_data: bool, iterations: int = 1, replace: bool = False
) -> None:
    """Register ``fn(ctx, masks) -> scores`` as method ``name``.

    ``needs_data``: ``prune_at_init`` refuses to run it without ``data=``; ``iterations``:
    default number of rounds of the schedule (1 = one-shot).
    """
    _add(PaIMethod(name, fn, "score", needs_data, iterations), replace)


def register_mask(name: str, fn: MaskFn, *, needs_data: bool, replace: bool = False) -> None:
    """Register ``fn(ctx) -> masks`` (exact counts, True = kept) as method ``name``."""
    _add(PaIMethod(name, fn, "mask", needs_data), replace)


def unregister(name: str) -> None:
    """Remove method ``name`` from the registry."""
    check_choice("method", name, methods())
    del _REGISTRY[name]


def methods() -> tuple[str, ...]:
    """Names of the registered methods, in registration order."""
    return tuple(_REGISTRY)


def get_method(name: str) -> PaIMethod:
    """The registered method ``name``; ``ValueError`` listing the registered ones otherwise."""
    check_choice("method", name, methods())
    return _REGISTRY[name]


def __getattr__(name: str) -> Any:
    if name == "METHODS":  # derived from the registry at every access
        return methods()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
