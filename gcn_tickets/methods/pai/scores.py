"""Pruning-at-init score functions (higher = more important; the lowest are pruned).

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

Each ``*_scores`` function takes a model and the prunable names and never modifies
the model. The ``*_on`` functions are the reusable inner steps on a prepared working
copy (the iterative driver re-scores one copy per round). ALGORITHMS.md section 3,
docs/pai.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.data.batches import balanced_subset, is_graph, iter_logits, num_classes_of

__all__ = [
    "LossFn",
    "ScoringSubset",
    "params_of",
    "set_masked",
    "linearised_copy",
    "synflow_inputs",
    "synflow_on",
    "scoring_subset",
    "snip_on",
    "grasp_on",
    "rand_scores",
    "mag_scores",
    "snip_scores",
    "grasp_scores",
    "synflow_scores",
]

LossFn = Callable[[Tensor, Tensor], Tensor]


def params_of(model: nn.Module) -> dict[str, nn.Parameter]:
    """``dict(model.named_parameters())``."""
    return dict(model.named_parameters())


def set_masked(work: nn.Module, orig: Mapping[str, Tensor], masks: Mapping[str, Tensor] | None) -> None:
    """Write ``orig[n] ⊙ masks[n]`` (or ``orig[n]`` when ``masks`` is None) into ``work``'s parameters."""
    params = params_of(work)
    with torch.no_grad():
        for n, w in orig.items():
            if masks is None:
                params[n].copy_(w)
            else:
                params[n].copy_(w * masks[n].to(device=w.device, dtype=w.dtype))


def rand_scores(model: nn.Module, names: Sequence[str], *, generator: torch.Generator) -> dict[str, Tensor]:
    """Gaussian scores ``N(0, 1)`` in float64 (a global top-k of them is a uniform random mask)."""
    params = params_of(model)
    return {n: torch.randn(params[n].shape, generator=generator, dtype=torch.float64) for n in names}


def mag_scores(model: nn.Module, names: Sequence[str]) -> dict[str, Tensor]:
    """``|θ|``."""
    params = params_of(model)
    return {n: params[n].detach().abs().clone() for n in names}


@dataclass
class ScoringSubset:
    """A balanced scoring subset, ready for :func:`gcn_tickets.data.batches.iter_logits`."""

    data: Any
    index: Tensor | None = None

    def logits(self, model: nn.Module) -> Any:
        """Iterate ``(logits, targets)`` of ``model`` over the subset."""
        if self.index is not None:
            return iter_logits(model, self.data, index=self.index)
        return iter_logits(model, self.data)


def scoring_subset(
    model: nn.Module, data: Any, samples_per_class: int | None, batch_size: int = 256
) -> ScoringSubset:
    """``samples_per_class`` examples of each class (``None`` = all of ``data``), in batches of 256."""
    if samples_per_class is None:
        return ScoringSubset(data)
    c = num_classes_of(model, data)
    sub = balanced_subset(data, samples_per_class, c)
    if is_graph(data):
        return ScoringSubset(sub[0], sub[1])
    x, y = sub
    batches = [(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(y), batch_size)]
    return ScoringSubset(batches)


def snip_on(
    work: nn.Module,
    names: Sequence[str],
    orig: Mapping[str, Tensor],
    prep: ScoringSubset,
    loss_fn: LossFn,
) -> dict[str, Tensor]:
    """``|Σ_b ∂L_b/∂w ⊙ orig|`` on ``work`` as it is (its weights already masked)."""
    params = params_of(work)
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
    orig = {n: p.detach().clone() for n, p in params_of(work).items() if n in set(names)}
    set_masked(work, orig, masks)
    return snip_on(work, names, orig, scoring_subset(work, data, samples_per_class), loss_fn)


def grasp_on(
    work: nn.Module, names: Sequence[str], prep: ScoringSubset, temperature: float, loss_fn: LossFn
) -> dict[str, Tensor]:
    """``(H g) ⊙ θ`` on ``work`` as it is: ``g`` summed over batches, then ``∂(g_stopᵀ g)/∂θ``."""
    params = params_of(work)
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
    return grasp_on(work, names, scoring_subset(work, data, samples_per_class), temperature, loss_fn)


def synflow_inputs(work: nn.Module, input_shape: Sequence[int] | None, data: Any) -> tuple[Any, ...]:
    """The all-ones input: ``ones(1, *input_shape)`` in float64, or ``(ones_like(x), edge_index)``."""
    p = next(work.parameters())
    if input_shape is not None:
        return (torch.ones((1, *input_shape), dtype=torch.float64, device=p.device),)
    if data is not None and is_graph(data):
        return (torch.ones_like(data.x, dtype=torch.float64), data.edge_index)
    raise ValueError(
        "SynFlow needs the input shape (without batch): pass input_shape=(3, 32, 32), give the "
        "model an `input_shape` attribute, or pass a graph as data= for a GNN"
    )


def linearised_copy(model: nn.Module) -> nn.Module:
    """Deep copy in float64, eval mode, every floating parameter and buffer replaced by |.|."""
    work = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for t in list(work.parameters()) + list(work.buffers()):
            if t.is_floating_point():
                t.abs_()
    return work


def synflow_on(work: nn.Module, names: Sequence[str], inputs: tuple[Any, ...]) -> dict[str, Tensor]:
    """``|θ ⊙ ∂R/∂θ|`` with ``R = Σ work(*inputs)``, for ``work`` as it is."""
    params = params_of(work)
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
    work = linearised_copy(model)
    orig = {n: p.detach().clone() for n, p in params_of(work).items() if n in set(names)}
    set_masked(work, orig, masks)
    return synflow_on(work, names, synflow_inputs(work, input_shape, data))
