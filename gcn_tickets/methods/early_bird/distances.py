"""Distances between binary masks, the early-bird detector's measure of change (EB; GEBT).

Distance conventions, for masks m, m' (1 = kept) of n entries in total and
``|pruned(m)| = n - |m|``:

============  =============================================  ======================
name          d(m, m')                                       range
============  =============================================  ======================
``fraction``  |m ⊕ m'| / n                      (EB paper)   [0, 2·min(p, 1-p)]
``first``     fraction(m, m') / fraction of the first         [0, ∞)
              distance measured in the group   (GEBT code)
``pruned``    |m ⊕ m'| / (|pruned(m)| + |pruned(m')|)        [0, 1] for any ratio
``minority``  |m ⊕ m'| / (min(|pruned(m)|, |m|)              [0, 1] for any ratio
              + min(|pruned(m')|, |m'|))
============  =============================================  ======================

At a fixed pruning ratio p both masks prune k = p·n entries, so
``pruned = (#entries pruned in m but kept in m') / k``: the fraction of the
pruned set that changed, whatever p is. Above p = 50 % the pruned set is the large
side and a change of the small kept set looks tiny under ``pruned`` (at p = 90 % a swap
of 9 % of the kept weights reads as 1 %); ``minority`` divides by the smaller side
instead, ``swaps / min(k, n − k)``: the fraction of the ticket's defining set that
changed (equal to ``pruned`` for p ≤ 50 %). ``fraction`` is bounded by 2·p (a 5 %
graph ratio can never exceed 0.1, so η = 0.1 fires at once) and ``first``
depends on a single noisy early distance. Each convention therefore comes with its
own threshold (:data:`gcn_tickets.methods.early_bird.detector.DEFAULT_ETA`).

Combination rules over groups (:func:`combine`): ``sum`` (GEBT paper), ``mean`` (GEBT
code), ``max`` (every group must be stable), or the name of one group (that group alone).

:func:`magnitude_masks` draws the masks themselves (one global magnitude threshold,
exact count) with the one top-k of :mod:`gcn_tickets.pruning.topk`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from gcn_tickets.pruning.topk import lowest_mask

__all__ = [
    "CONVENTIONS",
    "COMBINE_RULES",
    "Convention",
    "MaskLike",
    "mask_parts",
    "check_convention",
    "XorStats",
    "xor_stats",
    "mask_distance",
    "combine",
    "pairwise_distances",
    "magnitude_masks",
    "step_value",
]

Convention = Literal["fraction", "first", "pruned", "minority"]
CONVENTIONS: tuple[str, ...] = ("fraction", "first", "pruned", "minority")
COMBINE_RULES: tuple[str, ...] = ("sum", "mean", "max")

#: A mask group: one bool/0-1 tensor, or a mapping name -> tensor (e.g. all weight masks),
#: or a sequence of tensors. A group's entries are pooled (global distance over the group).
MaskLike = Tensor | Mapping[str, Tensor] | Sequence[Tensor]


def mask_parts(mask: MaskLike, what: str = "mask") -> list[tuple[str, Tensor]]:
    """Named bool parts of a group as flat CPU copies, validated (binary, non-empty).

    ``what`` names the group in the error messages.
    """
    if isinstance(mask, Tensor):
        items = [("", mask)]
    elif isinstance(mask, Mapping):
        items = [(str(k), v) for k, v in mask.items()]
    elif isinstance(mask, Sequence) and not isinstance(mask, (str, bytes)):
        items = [(str(i), v) for i, v in enumerate(mask)]
    else:
        raise TypeError(
            f"{what} must be a tensor, a mapping of tensors or a sequence of tensors, "
            f"got {type(mask).__name__}"
        )
    if not items:
        raise ValueError(f"{what} is empty: give at least one mask tensor")
    out = []
    for name, t in items:
        if not isinstance(t, Tensor):
            raise TypeError(f"{what} part '{name}' is a {type(t).__name__}, expected a tensor")
        t = t.detach()
        if t.dtype != torch.bool:
            if bool(((t != 0) & (t != 1)).any()):
                raise ValueError(f"{what} part '{name}' is not binary: masks hold only 0/1 (True = kept)")
            t = t != 0
        out.append((name, t.to("cpu", copy=True).reshape(-1)))
    return out


@dataclass(frozen=True)
class XorStats:
    """Counts behind every convention: ``xor = |m ⊕ m'|``, ``n`` entries, pruned counts."""

    xor: int
    n: int
    pruned_a: int
    pruned_b: int

    def fraction(self) -> float:
        """``|m ⊕ m'| / n``."""
        return self.xor / self.n

    def pruned(self) -> float:
        """``|m ⊕ m'| / (|pruned(m)| + |pruned(m')|)``; 0 when neither mask prunes anything."""
        den = self.pruned_a + self.pruned_b
        return self.xor / den if den else 0.0

    def minority(self) -> float:
        """``|m ⊕ m'| / (min(pruned, kept)(m) + min(pruned, kept)(m'))``, clipped to [0, 1]."""
        den = min(self.pruned_a, self.n - self.pruned_a) + min(self.pruned_b, self.n - self.pruned_b)
        if den == 0:
            return 0.0 if self.xor == 0 else 1.0
        return min(1.0, self.xor / den)

    def value(self, convention: str) -> float:
        """The distance under ``fraction``, ``pruned`` or ``minority``."""
        if convention == "fraction":
            return self.fraction()
        if convention == "pruned":
            return self.pruned()
        if convention == "minority":
            return self.minority()
        raise ValueError(f"XorStats.value: no stand-alone value for convention {convention!r}")

    def to_list(self) -> list[int]:
        return [self.xor, self.n, self.pruned_a, self.pruned_b]


def xor_stats(a: MaskLike, b: MaskLike) -> XorStats:
    """Pooled XOR statistics of two masks of the same structure (same names and shapes)."""
    pa, pb = mask_parts(a, "first mask"), mask_parts(b, "second mask")
    if [n for n, _ in pa] != [n for n, _ in pb]:
        raise ValueError(f"masks have different parts: {[n for n, _ in pa]} vs {[n for n, _ in pb]}")
    xor = n = ka = kb = 0
    for (name, x), (_, y) in zip(pa, pb, strict=True):
        if x.shape != y.shape:
            raise ValueError(f"mask part '{name}' changed shape: {tuple(x.shape)} vs {tuple(y.shape)}")
        xor += int((x ^ y).sum())
        n += x.numel()
        ka += int(x.sum())
        kb += int(y.sum())
    return XorStats(xor=xor, n=n, pruned_a=n - ka, pruned_b=n - kb)


def mask_distance(a: MaskLike, b: MaskLike, convention: str = "pruned") -> float:
    """Distance between two masks under ``fraction``, ``pruned`` or ``minority`` (module doc).

    ``first`` needs the first distance of a run, so it lives in the detector; here it is
    refused with a pointer to :class:`EarlyBirdDetector`.
    """
    check_convention(convention)
    if convention == "first":
        raise ValueError(
            "convention 'first' divides by the first distance of a run: use "
            "EarlyBirdDetector(convention='first'), or 'fraction' here"
        )
    return xor_stats(a, b).value(convention)


def combine(values: Mapping[str, float], rule: str) -> float:
    """Combine per-group distances: ``sum``, ``mean``, ``max`` or a group name (that group)."""
    if not values:
        raise ValueError("no group distances to combine")
    if rule == "sum":
        return float(sum(values.values()))
    if rule == "mean":
        return float(sum(values.values()) / len(values))
    if rule == "max":
        return float(max(values.values()))
    if rule in values:
        return float(values[rule])
    raise ValueError(
        f"combine rule {rule!r} is neither one of {COMBINE_RULES} nor a group name ({sorted(values)})"
    )


def pairwise_distances(masks: Sequence[MaskLike], convention: str = "fraction") -> Tensor:
    """The EB paper's heat map: ``D[i, j] = d(m_i, m_j)`` for a list of masks, ``[T, T]``.

    Vectorised: with masks stacked as a float matrix M ``[T, n]`` and k = M·1,
    ``|m_i ⊕ m_j| = k_i + k_j − 2 (M Mᵀ)_ij``. ``fraction`` divides by n; ``pruned`` by
    ``(n − k_i) + (n − k_j)``. Float64 throughout (exact for n < 2^53).
    """
    check_convention(convention)
    if convention == "first":
        raise ValueError("pairwise_distances supports 'fraction', 'pruned', 'minority', not 'first'")
    if len(masks) == 0:
        return torch.zeros(0, 0, dtype=torch.float64)
    flat = [torch.cat([t for _, t in mask_parts(m, f"mask {i}")]) for i, m in enumerate(masks)]
    n = flat[0].numel()
    if any(f.numel() != n for f in flat):
        raise ValueError("all masks of a heat map must have the same number of entries")
    mat = torch.stack(flat).to(torch.float64)
    kept = mat.sum(1)
    xor = kept[:, None] + kept[None, :] - 2.0 * (mat @ mat.T)
    if convention == "fraction":
        return xor / n
    if convention == "minority":
        side = torch.minimum(n - kept, kept)
        den = side[:, None] + side[None, :]
        out = torch.where(den > 0, xor / den.clamp_min(1.0), (xor > 0).to(xor.dtype))
        return out.clamp(max=1.0)
    den = (n - kept)[:, None] + (n - kept)[None, :]
    return torch.where(den > 0, xor / den.clamp_min(1.0), torch.zeros_like(xor))


def magnitude_masks(scores: MaskLike, sparsity: float) -> MaskLike:
    """Prune the ``round(sparsity · n)`` entries of lowest ``|score|``, ONE global threshold.

    ``scores`` is a tensor or a mapping name -> tensor (pooled over all tensors, exact
    count). ``|score|`` is ranked in float32 with the one tie rule of
    :func:`gcn_tickets.pruning.topk.lowest_mask` (among equal scores the lower flat index is
    pruned first). Returns bool masks (True = kept) of the same structure. ``sparsity`` is
    the fraction REMOVED, in [0, 1).
    """
    if not (isinstance(sparsity, (int, float)) and 0.0 <= sparsity < 1.0):
        raise ValueError(f"`sparsity` must be a fraction in [0, 1) (removed), got {sparsity!r}")
    single = isinstance(scores, Tensor)
    items = [("", scores)] if single else list(dict(scores).items())  # type: ignore[arg-type]
    flat = torch.cat([t.detach().abs().reshape(-1).float().cpu() for _, t in items])
    keep = ~lowest_mask(flat, int(round(sparsity * flat.numel())))
    out: dict[str, Tensor] = {}
    start = 0
    for name, t in items:
        out[name] = keep[start : start + t.numel()].reshape(t.shape)
        start += t.numel()
    return out[""] if single else out


def check_convention(convention: str) -> None:
    """``ValueError`` unless ``convention`` is one of :data:`CONVENTIONS`."""
    if convention not in CONVENTIONS:
        raise ValueError(f"`convention` must be one of {CONVENTIONS}, got {convention!r}")


def step_value(stats: XorStats, convention: str, group: str, first: dict[str, float]) -> float:
    """The distance of one step under ``convention``.

    ``first`` (GEBT code): the fraction divided by the first NON-ZERO fraction of the
    group, which is recorded in ``first`` (the GEBT code divides by the first one; a zero
    first distance would make every later value infinite, so zeros before it read 0).
    """
    if convention != "first":
        return stats.value(convention)
    frac = stats.fraction()
    if group not in first:
        if frac == 0.0:
            return 0.0
        first[group] = frac
    return frac / first[group]
