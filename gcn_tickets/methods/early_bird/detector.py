"""Early-bird detection that sees only masks (EB, ICLR 2020; GEBT, AAAI 2022).

A training run draws, once per epoch, a binary mask for each *mask group* (the
graph mask, the weight masks, a CNN's channel masks, ...). The ticket has
*emerged* when the masks stop changing. :class:`EarlyBirdDetector` keeps the
last ``fifo`` masks of every group, measures how far they moved with a named
distance *convention*, combines the groups with a named *rule*, and fires when
every combined value in the window is below ``eta`` (at or after
``min_epoch``). It never touches a model, an optimiser or a device: masks in,
a boolean out, and the whole distance trajectory recorded.

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
depends on a single noisy early distance (a tiny first distance lifts the
whole curve to 60-150). Each convention therefore comes with its own
threshold, :data:`DEFAULT_ETA`.

Combination rules over groups: ``sum`` (GEBT paper), ``mean`` (GEBT code),
``max`` (every group must be stable), or the name of one group (that group
alone).

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
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import Tensor

__all__ = [
    "CONVENTIONS",
    "COMBINE_RULES",
    "DEFAULT_ETA",
    "DEFAULT_CONVENTION",
    "DEFAULT_COMBINE",
    "DEFAULT_FIFO",
    "DEFAULT_MIN_EPOCH",
    "MaskLike",
    "XorStats",
    "xor_stats",
    "mask_distance",
    "combine",
    "pairwise_distances",
    "EarlyBirdDetector",
    "EpochRecord",
    "magnitude_masks",
    "replay",
]

Convention = Literal["fraction", "first", "pruned", "minority"]
CONVENTIONS: tuple[str, ...] = ("fraction", "first", "pruned", "minority")
COMBINE_RULES: tuple[str, ...] = ("sum", "mean", "max")

#: Threshold that goes with each convention, measured on the GEBT search (docs/gebt.md;
#: Cora/CiteSeer/PubMed, hidden 16, 12 ratio pairs, FIFO 4, ``max`` over graph and weights).
#: ``minority`` 0.03 (default): fires at epochs ~16-21 of 100, after the early masks have
#: settled; 0.1 fired at epochs 7-11, when tickets at p_w = 90 % were still 5-7 points worse
#: than later ones. ``pruned`` 0.02: similar epochs for p_w ≤ 70 %, but at p_w = 90 % the huge
#: pruned set makes every change look small. ``fraction`` 0.02: bounded by 2·min(p, 1 − p),
#: so its meaning changes with the ratio (0.1 as in EB fires at once at small ratios).
#: ``first`` 0.1: the GEBT code's rule, for reproduction only (the first distance is noise).
DEFAULT_ETA: dict[str, float] = {"fraction": 0.02, "first": 0.1, "pruned": 0.02, "minority": 0.03}
DEFAULT_CONVENTION: Convention = "minority"
DEFAULT_COMBINE: str = "max"
#: masks kept per group: 4 masks = 3 consecutive distances (GEBT's l = 3).
DEFAULT_FIFO: int = 4
DEFAULT_MIN_EPOCH: int = 0

#: A mask group: one bool/0-1 tensor, or a mapping name -> tensor (e.g. all weight masks),
#: or a sequence of tensors. A group's entries are pooled (global distance over the group).
MaskLike = Tensor | Mapping[str, Tensor] | Sequence[Tensor]


def _parts(mask: MaskLike, what: str = "mask") -> list[tuple[str, Tensor]]:
    """Named bool parts of a group, validated (binary, non-empty)."""
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
    pa, pb = _parts(a, "first mask"), _parts(b, "second mask")
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
    _check_convention(convention)
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
    _check_convention(convention)
    if convention == "first":
        raise ValueError("pairwise_distances supports 'fraction', 'pruned', 'minority', not 'first'")
    if len(masks) == 0:
        return torch.zeros(0, 0, dtype=torch.float64)
    flat = [torch.cat([t for _, t in _parts(m, f"mask {i}")]) for i, m in enumerate(masks)]
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
    count, ties broken by position). Returns bool masks (True = kept) of the same structure.
    ``sparsity`` is the fraction REMOVED, in [0, 1).
    """
    if not (isinstance(sparsity, (int, float)) and 0.0 <= sparsity < 1.0):
        raise ValueError(f"`sparsity` must be a fraction in [0, 1) (removed), got {sparsity!r}")
    single = isinstance(scores, Tensor)
    items = [("", scores)] if single else list(dict(scores).items())  # type: ignore[arg-type]
    flat = torch.cat([t.detach().abs().reshape(-1).float().cpu() for _, t in items])
    k = int(round(sparsity * flat.numel()))
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    if k > 0:
        keep[torch.sort(flat, stable=True).indices[:k]] = False
    out: dict[str, Tensor] = {}
    start = 0
    for name, t in items:
        out[name] = keep[start : start + t.numel()].reshape(t.shape)
        start += t.numel()
    return out[""] if single else out


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"`convention` must be one of {CONVENTIONS}, got {convention!r}")


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
            (fraction 0.02, first 0.1, pruned 0.1, minority 0.1).
        fifo: masks kept per group, ``>= 2`` (default 4, i.e. 3 distances as GEBT's l = 3).
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
        _check_convention(convention)
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
        elif combine not in COMBINE_RULES:
            # a group name: checked at the first update
            pass
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
        if self.convention != "first":
            return s.value(self.convention)
        frac = s.fraction()
        # "first": divide by the first non-zero distance of this group (GEBT code divides by
        # the first one; a zero first distance would make every later value infinite).
        if group not in self._first:
            if frac == 0.0:
                return 0.0
            self._first[group] = frac
        return frac / self._first[group]

    # ------------------------------------------------------------------ API
    def update(self, epoch: int, masks: Mapping[str, MaskLike]) -> bool:
        """Push this epoch's masks; return True iff the ticket emerges at this update.

        Args:
            epoch: increasing integer (the epoch the masks were drawn at).
            masks: group name -> mask (tensor, mapping of tensors, or sequence of tensors).
        """
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
        self._last_epoch = epoch
        parts = {g: _parts(masks[g], f"mask group '{g}'") for g in self.groups}
        dist: dict[str, float | None] = {}
        stats: dict[str, XorStats | None] = {}
        for g in self.groups:
            q = self._queue.setdefault(g, deque(maxlen=self.fifo))
            if q:
                prev = q[-1]
                if [n for n, _ in prev] != [n for n, _ in parts[g]] or any(
                    x.shape != y.shape for (_, x), (_, y) in zip(prev, parts[g], strict=True)
                ):
                    raise ValueError(f"mask group '{g}' changed its parts or shapes")
                stats[g] = xor_stats([t for _, t in prev], [t for _, t in parts[g]])
                dist[g] = self._from_stats(g, stats[g])
            else:
                dist[g] = stats[g] = None
            q.append(parts[g])
            if self.keep_history:
                self.history.setdefault(g, []).append(torch.cat([t for _, t in parts[g]]))
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
    _check_convention(convention)
    eta = DEFAULT_ETA[convention] if eta is None else eta
    first: dict[str, float] = {}
    window: deque[float] = deque(maxlen=fifo - 1)
    for i, rec in enumerate(stats):
        epoch = epochs[i] if epochs is not None else i + 1
        if any(v is None for v in rec.values()):
            window.clear()
            continue
        vals: dict[str, float] = {}
        for g, v in rec.items():
            st = v if isinstance(v, XorStats) else XorStats(*v)  # type: ignore[misc]
            if convention == "first":
                frac = st.fraction()
                if g not in first:
                    if frac == 0.0:
                        vals[g] = 0.0
                        continue
                    first[g] = frac
                vals[g] = frac / first[g]
            else:
                vals[g] = st.value(convention)
        window.append(combine(vals, combine_rule))
        if len(window) == fifo - 1 and epoch >= min_epoch and all(w < eta for w in window):
            return epoch
    return None
