"""One row of an early-bird detector's trajectory, :class:`EpochRecord` (see
:class:`~gcn_tickets.methods.early_bird.detector.EarlyBirdDetector` and docs/early_bird.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gcn_tickets.methods.early_bird.distances import XorStats

__all__ = ["EpochRecord"]


@dataclass
class EpochRecord:
    """One row of the trajectory.

    ``distances``: per group, distance of the new mask to the previous one (``None`` at the
    first update). ``combined``: those combined by the rule. ``window``: the ``fifo − 1``
    combined values the rule looks at (empty until the FIFO is full). ``fired``: whether
    the detector fired at this update (only at the emergence epoch). ``stats``: per group the
    raw counts ``(xor, n, pruned_a, pruned_b)`` of that step, so that any other convention can
    be evaluated afterwards from the same run.
    """

    epoch: int
    distances: dict[str, float | None]
    combined: float | None
    window: list[float] = field(default_factory=list)
    fired: bool = False
    stats: dict[str, XorStats | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "distances": dict(self.distances),
            "combined": self.combined,
            "window": list(self.window),
            "fired": self.fired,
            "stats": {g: (None if v is None else v.to_list()) for g, v in self.stats.items()},
        }
