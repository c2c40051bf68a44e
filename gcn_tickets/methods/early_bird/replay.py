"""Replay the early-bird decision from recorded step counts, without the masks.

:attr:`gcn_tickets.methods.early_bird.detector.EpochRecord.stats` keeps, for every step
and group, the XOR counts ``(xor, n, pruned_a, pruned_b)``; from them any convention,
rule, threshold and FIFO length can be evaluated afterwards (docs/gebt.md uses it to
compare detector settings on the same searches).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from gcn_tickets.methods.early_bird.detector import (
    DEFAULT_COMBINE,
    DEFAULT_CONVENTION,
    DEFAULT_ETA,
    DEFAULT_FIFO,
    DEFAULT_MIN_EPOCH,
)
from gcn_tickets.methods.early_bird.distances import XorStats, check_convention, combine, step_value

__all__ = ["replay"]


def replay(
    stats: Sequence[Mapping[str, XorStats | Sequence[int] | None]],
    *,
    convention: str = DEFAULT_CONVENTION,
    combine_rule: str = DEFAULT_COMBINE,
    eta: float | None = None,
    fifo: int = DEFAULT_FIFO,
    min_epoch: int = DEFAULT_MIN_EPOCH,
    epochs: Sequence[int] | None = None,
) -> int | None:
    """Fired epoch of a ``consecutive`` detector replayed from recorded step statistics.

    ``stats[i]`` maps each group to the :class:`XorStats` (or its ``to_list()``) of the step
    into epoch ``epochs[i]`` (default ``i + 1``), ``None`` at the first epoch — exactly what
    :attr:`EpochRecord.stats` records. Gives the same answer as running an
    :class:`EarlyBirdDetector` with these settings on the masks themselves, without them.
    """
    check_convention(convention)
    eta = DEFAULT_ETA[convention] if eta is None else eta
    first: dict[str, float] = {}
    window: deque[float] = deque(maxlen=fifo - 1)
    for i, rec in enumerate(stats):
        epoch = epochs[i] if epochs is not None else i + 1
        if any(v is None for v in rec.values()):
            window.clear()
            continue
        vals = {
            g: step_value(v if isinstance(v, XorStats) else XorStats(*v), convention, g, first)  # type: ignore[misc]
            for g, v in rec.items()
        }
        window.append(combine(vals, combine_rule))
        if len(window) == fifo - 1 and epoch >= min_epoch and all(w < eta for w in window):
            return epoch
    return None
