"""Pruning at initialisation (PaI): Rand, ERK/uniform, Mag, SNIP, GraSP, SynFlow, iterSNIP.

Four small, separate pieces (ALGORITHMS.md section 3):

1. **prunable tensors** (:func:`prunable_names`): every parameter with
   ``ndim >= 2`` (conv and linear weights, PyG's ``Linear`` included),
   optionally without the first / last one; ``nn.Embedding`` tables are
   skipped. BatchNorm parameters and biases take part in every forward and
   backward pass used for scoring but are never pruned.
2. **score functions** (higher = more important, the lowest are pruned):

   ========  ============================================================
   rand      Gaussian N(0, 1) scores from a seeded generator
   mag       ``|θ|``
   snip      ``|Σ_batches ∂L/∂θ ⊙ θ|`` = ``|∂L/∂m|`` at ``m = 1``, on a
             balanced subset (``samples_per_class`` = 10 per class)
   grasp     ``(H g) ⊙ θ`` with ``g = ∂L/∂θ``, logits divided by the
             temperature ``T = 200`` (keeps the largest values)
   synflow   ``|θ ⊙ ∂R/∂θ|``, ``R = 1ᵀ f(1; |θ|)``: every parameter and
             buffer replaced by its absolute value, one all-ones input,
             eval mode, float64; data-free
   ========  ============================================================

3. **scores → mask** (:func:`topk_masks`): keep exactly ``round(density·N)``
   entries with the highest scores, over all tensors (``scope="global"``) or
   ``round(density·n_i)`` per tensor (``scope="layer"``). Ties are broken by
   the flat index (lower index kept), i.e. a stable sort by (score desc,
   index asc), so the same scores always give the same mask. NaN scores rank
   lowest.
4. **schedule** (:func:`schedule_densities`): ``iterations = n`` rounds with
   densities ``density^(k/n)`` (exponential) or ``1 - (1 - density)·k/n``
   (linear), ``k = 1..n``; every round re-scores the masked model and never
   un-prunes a weight. SynFlow and iterSNIP use 100 exponential rounds by
   default; the others one round.

``erk`` and ``uniform`` are random masks with a per-layer distribution:
uniform keeps ``round(density·n_i)`` weights in each tensor; ERK gives layer
``l`` the density ``min(1, ε·Σ dims / Π dims)`` with ε solved so that the total
is ``round(density·N)`` exactly (largest-remainder rounding).

After pruning, :func:`collapse_report` lists the layers left with no weight or
with no kept weight on any input→output path; :func:`prune_at_init` warns
(:class:`LayerCollapseWarning`) or, with ``strict=True``, raises
:class:`LayerCollapseError`.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm.auto import tqdm

from gcn_tickets.data.batches import balanced_subset, is_graph, iter_logits, num_classes_of
from gcn_tickets.masks.maskset import MaskSet

__all__ = [
    "METHODS",
    "LayerCollapseError",
    "LayerCollapseWarning",
    "CollapseReport",
    "prunable_names",
    "schedule_densities",
    "topk_masks",
    "erk_densities",
    "exact_counts",
    "random_masks",
    "rand_scores",
    "mag_scores",
    "snip_scores",
    "grasp_scores",
    "synflow_scores",
    "path_counts",
    "collapse_report",
    "prune_at_init",
]

METHODS = ("rand", "uniform", "erk", "mag", "snip", "grasp", "synflow", "itersnip", "gem_miner")
DATA_METHODS = ("snip", "grasp", "itersnip", "gem_miner")
DEFAULT_ITERATIONS = {"synflow": 100, "itersnip": 100}

LossFn = Callable[[Tensor, Tensor], Tensor]


class LayerCollapseError(RuntimeError):
    """A pruned layer has no weight left or no kept weight on an input→output path."""


class LayerCollapseWarning(UserWarning):
    """Warning form of :class:`LayerCollapseError` (``strict=False``)."""


# --------------------------------------------------------------------------- validation
def _check_density(density: float) -> float:
    if isinstance(density, bool) or not isinstance(density, (int, float)):
        raise ValueError(f"`density` must be a number in (0, 1], got {density!r}")
    density = float(density)
    if not (0.0 < density <= 1.0) or math.isnan(density):
        raise ValueError(
            f"`density` must satisfy 0 < density <= 1 (the fraction KEPT), got {density}; "
            "for a sparsity s pass density = 1 - s"
        )
    return density


def _check_iterations(iterations: int) -> int:
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"`iterations` must be an integer >= 1, got {iterations!r}")
    return iterations


def _check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {list(choices)}, got {value!r}")
    return value


# --------------------------------------------------------------------------- 1. tensors
def prunable_names(
    model: nn.Module,
    *,
    include_first: bool = True,
    include_last: bool = True,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Names (as in ``state_dict``) of the prunable weights, in registration order.

    Selected by shape: every parameter with ``ndim >= 2`` except ``nn.Embedding``
    tables. "First" and "last" are the first and last of these in registration
    order (for the zoo models: the stem conv and the classifier).
    """
    skip = set(exclude)
    names: list[str] = []
    for mod_name, module in model.named_modules():
        if isinstance(module, nn.Embedding):
            continue
        prefix = f"{mod_name}." if mod_name else ""
        for p_name, p in module.named_parameters(recurse=False):
            if isinstance(p, nn.parameter.UninitializedParameter):
                raise ValueError(
                    f"parameter '{prefix + p_name}' is lazily initialised: run one forward "
                    "pass (or give the layer its in_channels) before pruning"
                )
            if p.dim() >= 2 and (prefix + p_name) not in skip:
                names.append(prefix + p_name)
    if not include_first and names:
        names = names[1:]
    if not include_last and names:
        names = names[:-1]
    if not names:
        raise ValueError(
            "the model has no prunable weights (parameters with ndim >= 2) after the "
            "first/last/exclude options; check include_first/include_last/exclude"
        )
    return names


# --------------------------------------------------------------------------- 4. schedule
def schedule_densities(density: float, iterations: int, kind: str = "exponential") -> list[float]:
    """Densities of the ``iterations`` pruning rounds, ending exactly at ``density``.

    exponential: ``density^(k/n)``; linear: ``1 - (1 - density)·k/n``; ``k = 1..n``.
    """
    density = _check_density(density)
    n = _check_iterations(iterations)
    _check_choice("schedule", kind, ("exponential", "linear"))
    if kind == "exponential":
        out = [density ** (k / n) for k in range(1, n + 1)]
    else:
        out = [1.0 - (1.0 - density) * k / n for k in range(1, n + 1)]
    out[-1] = density
    return out


# --------------------------------------------------------------------------- 3. scores -> mask
def _topk_flat(flat: Tensor, k: int) -> Tensor:
    """Boolean mask of the k largest entries; ties → lower index kept."""
    n = flat.numel()
    if k <= 0:
        return torch.zeros(n, dtype=torch.bool)
    if k >= n:
        return torch.ones(n, dtype=torch.bool)
    thr = torch.kthvalue(flat, n - k + 1).values  # the k-th largest value
    keep = flat > thr
    need = k - int(keep.sum())
    if need > 0:
        ties = (flat == thr).nonzero().view(-1)[:need]
        keep[ties] = True
    return keep


def _clean(scores: Tensor, name: str) -> Tensor:
    flat = scores.detach().reshape(-1).to(device="cpu", dtype=torch.float64)
    bad = torch.isnan(flat)
    if bad.any():
        warnings.warn(f"{int(bad.sum())} NaN scores in '{name}' rank lowest", RuntimeWarning, stacklevel=3)
        flat = torch.where(bad, torch.full_like(flat, -math.inf), flat)
    return flat


def _topk_within(flat: Tensor, k: int, allowed: Tensor | None) -> Tensor:
    """Top-k restricted to ``allowed`` entries (never re-grows a pruned weight)."""
    if allowed is None:
        return _topk_flat(flat, k)
    idx = allowed.nonzero().view(-1)
    if k > idx.numel():
        raise ValueError(
            f"cannot keep {k} weights: only {idx.numel()} are still unpruned (masks never un-prune)"
        )
    keep = torch.zeros(flat.numel(), dtype=torch.bool)
    keep[idx[_topk_flat(flat[idx], k)]] = True
    return keep


def topk_masks(
    scores: Mapping[str, Tensor],
    density: float,
    *,
    scope: str = "global",
    allowed: Mapping[str, Tensor] | None = None,
) -> dict[str, Tensor]:
    """Turn scores into boolean masks with exact counts.

    Keeps the ``k = round(density · N)`` highest scores over all tensors
    (``scope="global"``, ``N`` = total entries) or ``round(density · n_i)`` in
    each tensor (``scope="layer"``). Ties are broken by the flat index (tensors
    concatenated in the order of ``scores``), lower index kept. Entries where
    ``allowed`` is False are never kept.
    """
    density = _check_density(density)
    _check_choice("scope", scope, ("global", "layer"))
    names = list(scores)
    flats = [_clean(scores[n], n) for n in names]
    allows = [allowed[n].detach().reshape(-1).cpu().bool() for n in names] if allowed is not None else None
    out: dict[str, Tensor] = {}
    if scope == "layer":
        for i, n in enumerate(names):
            k = round(density * flats[i].numel())
            keep = _topk_within(flats[i], k, allows[i] if allows else None)
            out[n] = keep.view(scores[n].shape)
        return out
    flat = torch.cat(flats)
    keep = _topk_within(flat, round(density * flat.numel()), torch.cat(allows) if allows else None)
    offset = 0
    for n, f in zip(names, flats, strict=True):
        out[n] = keep[offset : offset + f.numel()].view(scores[n].shape)
        offset += f.numel()
    return out


# --------------------------------------------------------------------------- ERK / uniform
def erk_densities(shapes: Mapping[str, Sequence[int]], density: float) -> dict[str, float]:
    """Erdős–Rényi-Kernel layer densities (RigL's algorithm, dense-capped).

    ``d_l = ε · Σ_j s_j / Π_j s_j`` (``s`` = the tensor's shape, e.g.
    ``(c_out, c_in, k_h, k_w)``), capped at 1; the layers that would exceed 1
    are made dense and ε is re-solved until ``Σ d_l n_l = density · N``.
    """
    density = _check_density(density)
    sizes = {n: math.prod(s) for n, s in shapes.items()}
    raw = {n: sum(s) / math.prod(s) for n, s in shapes.items()}
    dense: set[str] = set()
    while True:
        rhs = density * sum(sizes.values()) - sum(sizes[n] for n in dense)
        divisor = sum(raw[n] * sizes[n] for n in sizes if n not in dense)
        if divisor <= 0:
            return {n: 1.0 for n in sizes}
        eps = rhs / divisor
        over = [n for n in sizes if n not in dense and eps * raw[n] > 1.0]
        if not over:
            return {n: 1.0 if n in dense else eps * raw[n] for n in sizes}
        dense.update(over)


def exact_counts(sizes: Mapping[str, int], densities: Mapping[str, float], total: int) -> dict[str, int]:
    """Per-tensor kept counts near ``density_l · n_l`` that sum exactly to ``total``.

    Floors first, then hands out the remainder by the largest fractional
    parts (ties: order of ``sizes``), never above ``n_l``.
    """
    want = {n: min(max(densities[n], 0.0), 1.0) * sizes[n] for n in sizes}
    counts = {n: min(int(math.floor(w)), sizes[n]) for n, w in want.items()}
    rest = total - sum(counts.values())
    order = sorted(sizes, key=lambda n: -(want[n] - math.floor(want[n])))
    while rest > 0:
        progressed = False
        for n in order:
            if rest == 0:
                break
            if counts[n] < sizes[n]:
                counts[n] += 1
                rest -= 1
                progressed = True
        if not progressed:
            break
    while rest < 0:
        for n in reversed(order):
            if rest == 0:
                break
            if counts[n] > 0:
                counts[n] -= 1
                rest += 1
    return counts


def random_masks(
    shapes: Mapping[str, Sequence[int]], counts: Mapping[str, int], generator: torch.Generator
) -> dict[str, Tensor]:
    """Uniformly random masks with exactly ``counts[name]`` kept entries each."""
    out = {}
    for n, s in shapes.items():
        size = math.prod(s)
        keep = torch.zeros(size, dtype=torch.bool)
        keep[torch.randperm(size, generator=generator)[: counts[n]]] = True
        out[n] = keep.view(*s)
    return out


# --------------------------------------------------------------------------- 2. scores
def _params(model: nn.Module) -> dict[str, nn.Parameter]:
    return dict(model.named_parameters())


def _set_masked(work: nn.Module, orig: Mapping[str, Tensor], masks: Mapping[str, Tensor] | None):
    params = _params(work)
    with torch.no_grad():
        for n, w in orig.items():
            if masks is None:
                params[n].copy_(w)
            else:
                params[n].copy_(w * masks[n].to(device=w.device, dtype=w.dtype))


def rand_scores(model: nn.Module, names: Sequence[str], *, generator: torch.Generator) -> dict[str, Tensor]:
    """Gaussian scores ``N(0, 1)`` (a global top-k of them is a uniform random mask)."""
    params = _params(model)
    return {n: torch.randn(params[n].shape, generator=generator, dtype=torch.float64) for n in names}


def mag_scores(model: nn.Module, names: Sequence[str]) -> dict[str, Tensor]:
    """``|θ|``."""
    params = _params(model)
    return {n: params[n].detach().abs().clone() for n in names}


@dataclass
class _Prepared:
    """A balanced scoring subset, ready for :func:`iter_logits`."""

    data: Any
    index: Tensor | None = None

    def logits(self, model: nn.Module):
        if self.index is not None:
            return iter_logits(model, self.data, index=self.index)
        return iter_logits(model, self.data)


def _prepare(model: nn.Module, data: Any, samples_per_class: int | None, batch_size: int = 256) -> _Prepared:
    if samples_per_class is None:
        return _Prepared(data)
    c = num_classes_of(model, data)
    sub = balanced_subset(data, samples_per_class, c)
    if is_graph(data):
        return _Prepared(sub[0], sub[1])
    x, y = sub
    return _Prepared([(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(y), batch_size)])


def _snip_on(
    work: nn.Module,
    names: Sequence[str],
    orig: Mapping[str, Tensor],
    prep: _Prepared,
    loss_fn: LossFn,
) -> dict[str, Tensor]:
    params = _params(work)
    work.zero_grad(set_to_none=True)
    for logits, y in prep.logits(work):
        loss_fn(logits, y).backward()
    out = {}
    for n in names:
        g = params[n].grad
        out[n] = torch.zeros_like(orig[n]) if g is None else (g * orig[n]).abs()
    work.zero_grad(set_to_none=True)
    return out


def snip_scores(
    model: nn.Module,
    names: Sequence[str],
    data: Any,
    *,
    samples_per_class: int | None = 10,
    loss_fn: LossFn = F.cross_entropy,
    masks: Mapping[str, Tensor] | None = None,
    train_mode: bool = False,
) -> dict[str, Tensor]:
    """SNIP: ``|Σ_b ∂L_b/∂w ⊙ θ|`` with ``w = θ ⊙ m`` (``m = 1`` unless ``masks``).

    ``samples_per_class`` examples of each class (default 10; ``None`` = all
    the data), loss summed over batches, model in eval mode unless
    ``train_mode``. The model itself is not modified.
    """
    work = copy.deepcopy(model).train(train_mode)
    orig = {n: p.detach().clone() for n, p in _params(work).items() if n in set(names)}
    _set_masked(work, orig, masks)
    return _snip_on(work, names, orig, _prepare(work, data, samples_per_class), loss_fn)


def grasp_scores(
    model: nn.Module,
    names: Sequence[str],
    data: Any,
    *,
    samples_per_class: int | None = 10,
    temperature: float = 200.0,
    loss_fn: LossFn = F.cross_entropy,
    train_mode: bool = False,
) -> dict[str, Tensor]:
    """GraSP: ``(H g) ⊙ θ``, ``g = Σ_b ∂L_b/∂θ`` on logits / ``temperature`` (default 200).

    ``H g`` is the Hessian-gradient product of the same loss, taken as
    ``∂(g_stopᵀ g)/∂θ``. Keep the LARGEST values (pruning them most reduces
    the gradient flow, GraSP's criterion with its sign convention folded in).
    """
    if temperature <= 0:
        raise ValueError(f"`temperature` must be > 0, got {temperature}")
    work = copy.deepcopy(model).train(train_mode)
    return _grasp_on(work, names, _prepare(work, data, samples_per_class), temperature, loss_fn)


def _grasp_on(
    work: nn.Module, names: Sequence[str], prep: _Prepared, temperature: float, loss_fn: LossFn
) -> dict[str, Tensor]:
    params = _params(work)
    ws = [params[n] for n in names]
    stopped = [torch.zeros_like(w) for w in ws]
    for logits, y in prep.logits(work):
        grads = torch.autograd.grad(loss_fn(logits / temperature, y), ws, allow_unused=True)
        for s, g in zip(stopped, grads, strict=True):
            if g is not None:
                s.add_(g)
    work.zero_grad(set_to_none=True)
    for logits, y in prep.logits(work):
        grads = torch.autograd.grad(
            loss_fn(logits / temperature, y), ws, create_graph=True, allow_unused=True
        )
        z = sum((g * s).sum() for g, s in zip(grads, stopped, strict=True) if g is not None)
        if isinstance(z, Tensor) and z.requires_grad:
            z.backward()
    out = {}
    for n, w in zip(names, ws, strict=True):
        out[n] = torch.zeros_like(w.detach()) if w.grad is None else (w.grad * w.detach()).clone()
    work.zero_grad(set_to_none=True)
    return out


def _synflow_inputs(work: nn.Module, input_shape: Sequence[int] | None, data: Any) -> tuple:
    p = next(work.parameters())
    if input_shape is not None:
        return (torch.ones((1, *input_shape), dtype=torch.float64, device=p.device),)
    if data is not None and is_graph(data):
        return (torch.ones_like(data.x, dtype=torch.float64), data.edge_index)
    raise ValueError(
        "SynFlow needs the input shape (without batch): pass input_shape=(3, 32, 32), give the "
        "model an `input_shape` attribute, or pass a graph as data= for a GNN"
    )


def _linearised_copy(model: nn.Module) -> nn.Module:
    """Deep copy in float64, eval mode, every floating parameter and buffer replaced by |.|."""
    work = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for t in list(work.parameters()) + list(work.buffers()):
            if t.is_floating_point():
                t.abs_()
    return work


def _synflow_on(work: nn.Module, names: Sequence[str], inputs: tuple) -> dict[str, Tensor]:
    params = _params(work)
    work.zero_grad(set_to_none=True)
    out = work(*inputs)
    out.sum().backward()
    scores = {}
    for n in names:
        g = params[n].grad
        w = params[n].detach()
        scores[n] = torch.zeros_like(w) if g is None else (g * w).abs()
    work.zero_grad(set_to_none=True)
    return scores


def synflow_scores(
    model: nn.Module,
    names: Sequence[str],
    *,
    input_shape: Sequence[int] | None = None,
    data: Any = None,
    masks: Mapping[str, Tensor] | None = None,
) -> dict[str, Tensor]:
    """SynFlow: ``|θ ⊙ ∂R/∂θ|`` with ``R = Σ f(1; |θ|)`` in float64 (one round).

    Computed on a float64 deep copy in eval mode with every parameter and
    buffer replaced by its absolute value and the pruned weights zeroed; the
    caller's model (and its signs) is untouched. Input: ``ones(1, *input_shape)``,
    or for a GNN ``ones_like(x)`` with the graph's ``edge_index``.
    """
    work = _linearised_copy(model)
    orig = {n: p.detach().clone() for n, p in _params(work).items() if n in set(names)}
    _set_masked(work, orig, masks)
    return _synflow_on(work, names, _synflow_inputs(work, input_shape, data))


# --------------------------------------------------------------------------- collapse
def _swap_max_pools(model: nn.Module) -> None:
    """Max → average pooling, so that every input of a window keeps its paths."""
    swaps = {
        nn.MaxPool1d: nn.AvgPool1d,
        nn.MaxPool2d: nn.AvgPool2d,
        nn.MaxPool3d: nn.AvgPool3d,
    }
    for name, module in list(model.named_modules()):
        new: nn.Module | None = None
        for cls, avg in swaps.items():
            if type(module) is cls:
                new = avg(module.kernel_size, module.stride, module.padding, module.ceil_mode)
        if type(module) is nn.AdaptiveMaxPool2d:
            new = nn.AdaptiveAvgPool2d(module.output_size)
        if type(module) is nn.AdaptiveMaxPool1d:
            new = nn.AdaptiveAvgPool1d(module.output_size)
        if new is not None and name:
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, child, new)


def path_counts(
    model: nn.Module,
    masks: Mapping[str, Tensor],
    *,
    input_shape: Sequence[int] | None = None,
    data: Any = None,
) -> dict[str, Tensor]:
    """Number of input→output paths through each weight of the masked network.

    The network is linearised (float64, eval, max pools → average pools):
    masked weights become their 0/1 mask, other weights 1, biases 0,
    normalisation layers the identity (weight 1, running mean 0, variance 1).
    Then ``paths(w) = w · ∂R/∂w`` with ``R = Σ f(1)`` counts the paths, up to
    positive factors from pooling and normalisation: a kept weight with 0 paths
    cannot influence the output.
    """
    work = copy.deepcopy(model).double().eval()
    _swap_max_pools(work)
    with torch.no_grad():
        for name, p in work.named_parameters():
            if name in masks:
                p.copy_(masks[name].to(device=p.device, dtype=p.dtype))
            elif name.rsplit(".", 1)[-1].startswith("bias"):
                p.zero_()
            else:
                p.fill_(1.0)
        for name, b in work.named_buffers():
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "running_mean":
                b.zero_()
            elif leaf == "running_var":
                b.fill_(1.0)
            elif b.is_floating_point():
                b.abs_()
    names = [n for n in masks if n in _params(work)]
    return _synflow_on(work, names, _synflow_inputs(work, input_shape, data))


@dataclass(frozen=True)
class CollapseReport:
    """Per-layer kept counts and paths after pruning.

    ``empty``: layers with no weight kept. ``disconnected``: layers with kept
    weights none of which lies on an input→output path. ``on_path[name]`` is
    the number of kept weights that do. ``checked_paths`` is False when no
    input could be built (only ``empty`` is then reported).
    """

    kept: dict[str, int]
    total: dict[str, int]
    on_path: dict[str, int] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    checked_paths: bool = True

    @property
    def collapsed(self) -> list[str]:
        return self.empty + [n for n in self.disconnected if n not in self.empty]

    def __bool__(self) -> bool:  # truthy when something collapsed
        return bool(self.collapsed)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "layer": n,
                "kept": self.kept[n],
                "total": self.total[n],
                "density": self.kept[n] / self.total[n],
                "on_path": self.on_path.get(n),
                "collapsed": n in self.collapsed,
            }
            for n in self.kept
        ]


def collapse_report(
    model: nn.Module,
    masks: MaskSet | Mapping[str, Tensor],
    *,
    input_shape: Sequence[int] | None = None,
    data: Any = None,
) -> CollapseReport:
    """Which layers are empty or cut off from the input→output flow (see :func:`path_counts`).

    ``input_shape`` defaults to ``model.input_shape``; for a GNN pass the graph
    as ``data``. Without either only empty layers are reported.
    """
    weights = masks.weights if isinstance(masks, MaskSet) else dict(masks)
    kept = {n: int(m.sum()) for n, m in weights.items()}
    total = {n: m.numel() for n, m in weights.items()}
    empty = [n for n in weights if kept[n] == 0]
    input_shape = input_shape if input_shape is not None else getattr(model, "input_shape", None)
    if input_shape is None and not (data is not None and is_graph(data)):
        return CollapseReport(kept, total, {}, empty, [], checked_paths=False)
    paths = path_counts(model, weights, input_shape=input_shape, data=data)
    on_path = {n: int(((paths[n] > 0) & weights[n].to(paths[n].device)).sum()) for n in paths}
    bad = [n for n in paths if not torch.isfinite(paths[n]).all()]
    if bad:
        warnings.warn(f"path counts overflow float64 in {bad}", RuntimeWarning, stacklevel=2)
    disconnected = [n for n in paths if kept[n] > 0 and on_path[n] == 0]
    return CollapseReport(kept, total, on_path, empty, disconnected, checked_paths=True)


# --------------------------------------------------------------------------- driver
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
        method: one of :data:`METHODS`.
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
            (see :func:`prunable_names`).
        seed: seeds rand/uniform/erk and gem_miner.
        samples_per_class: examples per class for snip/grasp/itersnip (10).
        temperature: GraSP temperature (200).
        strict: raise :class:`LayerCollapseError` instead of warning.
        gem_miner_options: keyword arguments of :func:`gcn_tickets.methods.pai.gem_miner.mine`.

    Returns:
        MaskSet over the prunable weights; ``meta`` records the method,
        options and the collapsed layers.
    """
    _check_choice("method", method, METHODS)
    density = _check_density(density)
    _check_choice("scope", scope, ("global", "layer"))
    _check_choice("schedule", schedule, ("exponential", "linear"))
    if method in DATA_METHODS and data is None:
        raise ValueError(
            f"method '{method}' needs data=...: a DataLoader of (inputs, targets), an "
            "(inputs, targets) tuple, or a PyG Data with train_mask"
        )
    if input_shape is None:
        input_shape = getattr(model, "input_shape", None)
    names = prunable_names(model, include_first=include_first, include_last=include_last, exclude=exclude)
    params = _params(model)
    shapes = {n: tuple(params[n].shape) for n in names}
    gen = torch.Generator().manual_seed(seed)
    n_iter = _check_iterations(iterations if iterations is not None else DEFAULT_ITERATIONS.get(method, 1))

    if method == "gem_miner":
        from gcn_tickets.methods.pai.gem_miner import mine

        opts = dict(gem_miner_options or {})
        if iterations is not None:
            opts["epochs"] = iterations
        weights = mine(model, data, density, names=names, seed=seed, progress=progress, **opts).weights
    elif method == "uniform":
        counts = {n: round(density * math.prod(s)) for n, s in shapes.items()}
        weights = random_masks(shapes, counts, gen)
    elif method == "erk":
        sizes = {n: math.prod(s) for n, s in shapes.items()}
        counts = exact_counts(sizes, erk_densities(shapes, density), round(density * sum(sizes.values())))
        weights = random_masks(shapes, counts, gen)
    else:
        weights = _iterative(
            model, method, names, density, n_iter, scope, schedule, data=data,
            input_shape=input_shape, gen=gen, samples_per_class=samples_per_class,
            temperature=temperature, loss_fn=loss_fn, progress=progress,
        )  # fmt: skip

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
    if report.collapsed:
        msg = (
            f"{method} at density {density:g} collapsed {len(report.collapsed)} layer(s): "
            f"empty {report.empty}, no input-output path {report.disconnected}. "
            "Use a higher density, scope='layer', or synflow."
        )
        if strict:
            raise LayerCollapseError(msg)
        warnings.warn(msg, LayerCollapseWarning, stacklevel=2)
    return masks


def _iterative(
    model: nn.Module,
    method: str,
    names: list[str],
    density: float,
    iterations: int,
    scope: str,
    schedule: str,
    *,
    data: Any,
    input_shape: Sequence[int] | None,
    gen: torch.Generator,
    samples_per_class: int | None,
    temperature: float,
    loss_fn: LossFn,
    progress: bool,
) -> dict[str, Tensor]:
    """Score → keep top-k, for each density of the schedule, re-scoring the masked model."""
    masks: dict[str, Tensor] | None = None
    if method == "synflow":
        work = _linearised_copy(model)
        inputs = _synflow_inputs(work, input_shape, data)
    elif method in ("snip", "itersnip", "grasp"):
        work = copy.deepcopy(model).eval()
        prep = _prepare(work, data, samples_per_class)
    else:
        work = model
    orig = {n: p.detach().clone() for n, p in _params(work).items() if n in set(names)}
    steps = schedule_densities(density, iterations, schedule)
    bar = tqdm(steps, desc=f"{method}", disable=not progress or iterations == 1, leave=False)
    for d in bar:
        if method == "rand":
            scores = rand_scores(model, names, generator=gen)
        elif method == "mag":
            scores = mag_scores(model, names)
        elif method == "synflow":
            _set_masked(work, orig, masks)
            scores = _synflow_on(work, names, inputs)
        elif method in ("snip", "itersnip"):
            _set_masked(work, orig, masks)
            scores = _snip_on(work, names, orig, prep, loss_fn)
        elif method == "grasp":
            _set_masked(work, orig, masks)
            scores = _grasp_on(work, names, prep, temperature, loss_fn)
        else:  # pragma: no cover - guarded by _check_choice
            raise ValueError(method)
        masks = topk_masks(scores, d, scope=scope, allowed=masks)
    assert masks is not None
    return masks
