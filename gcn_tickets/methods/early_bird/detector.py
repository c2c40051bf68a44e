"""Early-bird detection that sees only masks (EB, ICLR 2020; GEBT, AAAI 2022).

A training run draws, once per epoch, a binary mask for each *mask group* (the
graph mask, the weight masks, a CNN's channel masks, ...). The ticket has
*emerged* when the masks stop changing. :class:`EarlyBirdDetector` keeps the
last ``fifo`` masks of every group, measures how far they moved with a named
distance *convention* (:mod:`.distances`), combines the groups with a named
*rule*, and fires when every combined value in the window is below ``eta`` (at or
after ``min_epoch``). It never touches a model, an optimiser or a device: masks in,
a boolean out, and the whole distance trajectory recorded.

Defaults: convention ``minority``, rule ``max``, FIFO 4, ``min_epoch`` 0, and the
threshold of the convention, :data:`DEFAULT_ETA` (fraction 0.02, first 0.1,
pruned 0.02, minority 0.03). How they were chosen, with the measurements:
docs/gebt.md (sections 3 and 6) and docs/early_bird.md.

:func:`gcn_tickets.methods.early_bird.replay.replay` re-runs the decision from the recorded
counts, for any other settings, without the masks.

Windows (``pairs``): ``consecutive`` (GEBT) compares each mask in the FIFO with
the one before it, giving ``fifo - 1`` values; ``newest`` (EB) compares the
newest mask with each older one. Either way the detector fires at the first
epoch where the FIFO is full, ``epoch >= min_epoch`` and all ``fifo - 1``
combined values are ``< eta``. The GEBT rule "FIFO of l = 3 distances,
max < 0.1" is ``fifo=4, pairs="consecutive"``; the EB rule "5 masks, 4
distances of the newest, all < 0.1" is ``fifo=5, pairs="newest"``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor

from gcn_tickets.methods.early_bird.distances import (
    COMBINE_RULES,
    CONVENTIONS,
    Convention,
    MaskLike,
    XorStats,
    check_convention,
    combine,
    mask_parts,
    pairwise_distances,
    step_value,
    xor_stats,
)
from gcn_tickets.methods.early_bird.record import EpochRecord

__all__ = [
    "CONVENTIONS",
    "COMBINE_RULES",
    "DEFAULT_ETA",
    "DEFAULT_CONVENTION",
    "DEFAULT_COMBINE",
    "DEFAULT_FIFO",
    "DEFAULT_MIN_EPOCH",
    "EarlyBirdDetector",
    "EpochRecord",
]

#: Threshold that goes with each convention (``minority`` 0.03, the default convention;
#: ``pruned`` and ``fraction`` 0.02; ``first`` 0.1, the GEBT code's rule, for reproduction
#: only). Chosen on the GEBT search (Cora/CiteSeer/PubMed, hidden 16, 12 ratio pairs,
#: FIFO 4, ``max`` over graph and weights): docs/gebt.md sections 3 and 6, docs/early_bird.md.
DEFAULT_ETA: dict[str, float] = {"fraction": 0.02, "first": 0.1, "pruned": 0.02, "minority": 0.03}
DEFAULT_CONVENTION: Convention = "minority"
DEFAULT_COMBINE: str = "max"
#: masks kept per group: 4 masks = 3 consecutive distances (GEBT's l = 3).
DEFAULT_FIFO: int = 4
DEFAULT_MIN_EPOCH: int = 0


class EarlyBirdDetector:
    """FIFO early-bird detector over named mask groups.

    Args (keyword-only):
        groups: names of the mask groups, e.g. ``("graph", "weights")``; ``None`` = take
            them from the first :meth:`update`. Every update must give exactly these groups.
        convention: ``"fraction"``, ``"first"``, ``"pruned"`` or ``"minority"`` (see module
            doc; default :data:`DEFAULT_CONVENTION`).
        combine: ``"sum"`` (GEBT paper), ``"mean"`` (GEBT code), ``"max"`` (default) or
            a group name (that group alone; the others are still recorded).
        eta: threshold; default :data:`DEFAULT_ETA` ``[convention]``
            (fraction 0.02, first 0.1, pruned 0.02, minority 0.03).
        fifo: masks kept per group, ``>= 2`` (default :data:`DEFAULT_FIFO` = 4, i.e. 3
            distances as GEBT's l = 3).
        min_epoch: the detector cannot fire at an epoch below this (default 0).
        pairs: ``"consecutive"`` (default; GEBT) or ``"newest"`` (EB).
        keep_history: keep every mask (CPU bool) for :meth:`heatmap` (default False).

    After :meth:`update` has returned True once, :attr:`fired_epoch` is fixed; further
    updates keep recording the trajectory (useful to plot the full search).
    """

    def __init__(
        self,
        *,
        groups: Sequence[str] | None = None,
        convention: str = DEFAULT_CONVENTION,
        combine: str = DEFAULT_COMBINE,
        eta: float | None = None,
        fifo: int = DEFAULT_FIFO,
        min_epoch: int = DEFAULT_MIN_EPOCH,
        pairs: str = "consecutive",
        keep_history: bool = False,
    ) -> None:
        check_convention(convention)
        if not isinstance(fifo, int) or isinstance(fifo, bool) or fifo < 2:
            raise ValueError(f"`fifo` must be an integer >= 2 (masks kept per group), got {fifo!r}")
        if pairs not in ("consecutive", "newest"):
            raise ValueError(f"`pairs` must be 'consecutive' or 'newest', got {pairs!r}")
        if eta is None:
            eta = DEFAULT_ETA[convention]
        if not (isinstance(eta, (int, float)) and math.isfinite(eta) and eta > 0):
            raise ValueError(f"`eta` must be a finite number > 0, got {eta!r}")
        if not isinstance(min_epoch, int) or min_epoch < 0:
            raise ValueError(f"`min_epoch` must be an integer >= 0, got {min_epoch!r}")
        self.groups: tuple[str, ...] | None = tuple(groups) if groups is not None else None
        if self.groups is not None:
            if not self.groups or len(set(self.groups)) != len(self.groups):
                raise ValueError(f"`groups` must be non-empty and unique, got {groups!r}")
            self._check_rule(combine, self.groups)
        self.convention = convention
        self.combine = combine
        self.eta = float(eta)
        self.fifo = fifo
        self.min_epoch = min_epoch
        self.pairs = pairs
        self.keep_history = keep_history
        self._queue: dict[str, deque[list[tuple[str, Tensor]]]] = {}
        self._first: dict[str, float] = {}
        self._last_epoch: int | None = None
        self.trajectory: list[EpochRecord] = []
        self.history: dict[str, list[Tensor]] = {}
        self.fired_epoch: int | None = None

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _check_rule(rule: str, groups: Sequence[str]) -> None:
        if rule not in COMBINE_RULES and rule not in groups:
            raise ValueError(
                f"`combine` must be one of {COMBINE_RULES} or a group name {list(groups)}, got {rule!r}"
            )

    @property
    def fired(self) -> bool:
        return self.fired_epoch is not None

    def _distance(self, group: str, a: list[tuple[str, Tensor]], b: list[tuple[str, Tensor]]) -> float:
        return self._from_stats(group, xor_stats([t for _, t in a], [t for _, t in b]))

    def _from_stats(self, group: str, s: XorStats) -> float:
        return step_value(s, self.convention, group, self._first)

    # ------------------------------------------------------------------ API
    def update(self, epoch: int, masks: Mapping[str, MaskLike]) -> bool:
        """Push this epoch's masks; return True iff the ticket emerges at this update.

        Args:
            epoch: increasing integer (the epoch the masks were drawn at).
            masks: group name -> mask (tensor, mapping of tensors, or sequence of tensors).
        """
        self._check_update(epoch, masks)
        assert self.groups is not None
        self._last_epoch = epoch
        dist: dict[str, float | None] = {}
        stats: dict[str, XorStats | None] = {}
        for g in self.groups:
            stats[g] = self._push(g, mask_parts(masks[g], f"mask group '{g}'"))
            dist[g] = None if stats[g] is None else self._from_stats(g, stats[g])
        combined = (
            None
            if any(v is None for v in dist.values())
            else combine({k: float(v) for k, v in dist.items() if v is not None}, self.combine)
        )
        rec = EpochRecord(epoch=epoch, distances=dist, combined=combined, stats=stats)
        self.trajectory.append(rec)
        full = all(len(self._queue[g]) == self.fifo for g in self.groups)
        if full:
            rec.window = self._window()
        fire = (
            self.fired_epoch is None
            and full
            and epoch >= self.min_epoch
            and all(v < self.eta for v in rec.window)
        )
        if fire:
            self.fired_epoch = epoch
            rec.fired = True
        return fire

    def _check_update(self, epoch: int, masks: Mapping[str, MaskLike]) -> None:
        if not isinstance(masks, Mapping) or not masks:
            raise TypeError("`masks` must be a non-empty mapping group name -> mask")
        if self._last_epoch is not None and epoch <= self._last_epoch:
            raise ValueError(f"epochs must increase: got {epoch} after {self._last_epoch}")
        if self.groups is None:
            self.groups = tuple(masks)
            self._check_rule(self.combine, self.groups)
        if set(masks) != set(self.groups):
            raise ValueError(
                f"update() got groups {sorted(masks)} but the detector tracks {list(self.groups)}"
            )

    def _push(self, g: str, parts: list[tuple[str, Tensor]]) -> XorStats | None:
        """Append ``parts`` to group ``g``'s FIFO; the step's XOR counts (None at the first)."""
        q = self._queue.setdefault(g, deque(maxlen=self.fifo))
        stats = None
        if q:
            prev = q[-1]
            if [n for n, _ in prev] != [n for n, _ in parts] or any(
                x.shape != y.shape for (_, x), (_, y) in zip(prev, parts, strict=True)
            ):
                raise ValueError(f"mask group '{g}' changed its parts or shapes")
            stats = xor_stats([t for _, t in prev], [t for _, t in parts])
        q.append(parts)
        if self.keep_history:
            self.history.setdefault(g, []).append(torch.cat([t for _, t in parts]))
        return stats

    def _window(self) -> list[float]:
        """The ``fifo − 1`` combined values the rule looks at."""
        if self.pairs == "consecutive":
            return [float(r.combined) for r in self.trajectory[-(self.fifo - 1) :]]  # type: ignore[arg-type]
        vals = []
        for back in range(self.fifo - 1):  # newest vs each older mask, nearest first
            per = {}
            for g in self.groups or ():
                q = self._queue[g]
                per[g] = self._distance(g, q[-2 - back], q[-1])
            vals.append(combine(per, self.combine))
        return vals

    def group_trajectory(self, group: str) -> list[tuple[int, float | None]]:
        """``[(epoch, d_group)]``: the distance of each new mask to the previous one."""
        return [(r.epoch, r.distances[group]) for r in self.trajectory]

    def combined_trajectory(self) -> list[tuple[int, float | None]]:
        return [(r.epoch, r.combined) for r in self.trajectory]

    def heatmap(self, group: str, convention: str = "fraction") -> Tensor:
        """Pairwise distances of all recorded masks of ``group`` (needs ``keep_history``)."""
        if not self.keep_history:
            raise RuntimeError("heatmap() needs EarlyBirdDetector(keep_history=True)")
        if group not in self.history:
            raise KeyError(f"no history for group {group!r}; groups: {sorted(self.history)}")
        return pairwise_distances(self.history[group], convention)

    def settings(self) -> dict[str, Any]:
        return {
            "groups": list(self.groups or ()),
            "convention": self.convention,
            "combine": self.combine,
            "eta": self.eta,
            "fifo": self.fifo,
            "min_epoch": self.min_epoch,
            "pairs": self.pairs,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary: settings, fired epoch and the whole trajectory."""
        return {
            "settings": self.settings(),
            "fired_epoch": self.fired_epoch,
            "trajectory": [r.to_dict() for r in self.trajectory],
        }

    def __repr__(self) -> str:
        s = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"EarlyBirdDetector({s}, fired_epoch={self.fired_epoch})"
