"""Early-bird tickets: a detector that sees only masks (EB; GEBT), its distances, EB channel tickets.

:mod:`.distances` (mask distances and conventions, magnitude masks), :mod:`.detector`
(:class:`EarlyBirdDetector` and its defaults), :mod:`.replay` (the decision from recorded
counts), :mod:`.channels` (EB channel tickets for any CNN with BatchNorm).
"""

from gcn_tickets.methods.early_bird.detector import (
    DEFAULT_COMBINE,
    DEFAULT_CONVENTION,
    DEFAULT_ETA,
    DEFAULT_FIFO,
    DEFAULT_MIN_EPOCH,
    EarlyBirdDetector,
    EpochRecord,
)
from gcn_tickets.methods.early_bird.distances import (
    COMBINE_RULES,
    CONVENTIONS,
    MaskLike,
    XorStats,
    combine,
    magnitude_masks,
    mask_distance,
    pairwise_distances,
    step_value,
    xor_stats,
)
from gcn_tickets.methods.early_bird.replay import replay

__all__ = [
    "EarlyBirdDetector",
    "EpochRecord",
    "DEFAULT_COMBINE",
    "DEFAULT_CONVENTION",
    "DEFAULT_ETA",
    "DEFAULT_FIFO",
    "DEFAULT_MIN_EPOCH",
    "CONVENTIONS",
    "COMBINE_RULES",
    "MaskLike",
    "XorStats",
    "xor_stats",
    "mask_distance",
    "combine",
    "pairwise_distances",
    "step_value",
    "magnitude_masks",
    "replay",
]
