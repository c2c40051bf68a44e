"""Early-bird channel tickets for any torch CNN (You et al., EB, ICLR 2020).

Channels are scored by the BatchNorm scaling factors γ (network slimming, Liu et
al. 2017), trained with an L1 sub-gradient on γ:

    L = CE(f(x; Θ), y) + s · Σ_BN ‖γ‖₁,    implemented as  γ.grad += s · sign(γ)

after ``loss.backward()`` (default s = 1e-4, as in EB). After every epoch the
channel mask at ratio p is drawn with ONE global threshold over |γ| of all
(affine) BatchNorm layers — the ``round(p · C)`` smallest |γ| of the C channels
are pruned — and handed to :class:`~gcn_tickets.methods.early_bird.detector.EarlyBirdDetector`
(one group, ``"channels"``, pooled over layers). The search stops when the
detector fires. The detector never sees the model.

A channel ticket is applied softly by :class:`ChannelMasker`: γ and β of pruned
channels are set to 0 and kept there after every optimiser step, so the BN
output of the channel is exactly 0 (its running statistics no longer matter).
With Conv → BN → ReLU blocks that removes the channel from the function.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from gcn_tickets.methods.early_bird.detector import EarlyBirdDetector
from gcn_tickets.methods.early_bird.distances import magnitude_masks
from gcn_tickets.pruning.topk import topk_mask
from gcn_tickets.training.fit import FitResult, fit

__all__ = [
    "DEFAULT_L1",
    "bn_layers",
    "bn_scaling_factors",
    "channel_masks",
    "add_bn_l1_subgradient",
    "ChannelMasker",
    "channel_param_masks",
    "ChannelSearchResult",
    "search_channel_ticket",
]

#: L1 coefficient on BN scaling factors (EB / network slimming default).
DEFAULT_L1: float = 1e-4
GROUP = "channels"
LossFn = Callable[[Tensor, Tensor], Tensor]


def bn_layers(model: nn.Module) -> dict[str, _BatchNorm]:
    """Affine BatchNorm layers of ``model`` by module name (BatchNorm1d/2d/3d, SyncBN)."""
    out = {
        name: mod
        for name, mod in model.named_modules()
        if isinstance(mod, _BatchNorm) and mod.affine and mod.weight is not None
    }
    if not out:
        raise ValueError(
            f"{type(model).__name__} has no affine BatchNorm layer: channel early-bird "
            "tickets score channels by the BN scaling factors γ"
        )
    return out


def bn_scaling_factors(model: nn.Module) -> dict[str, Tensor]:
    """``{bn_name: |γ|}`` (detached CPU float copies)."""
    return {n: m.weight.detach().abs().float().cpu() for n, m in bn_layers(model).items()}


def channel_masks(
    model: nn.Module, sparsity: float, *, min_keep: int = 1, scope: str = "global"
) -> dict[str, Tensor]:
    """Channel masks at ``sparsity`` (fraction of channels REMOVED) from |γ|.

    ``scope="global"`` (EB / network slimming): ONE threshold over all BN layers; exactly
    ``round(sparsity · C)`` of the C channels are pruned. Layer collapse guard: the
    ``min_keep`` largest-|γ| channels of every layer (default 1) are never pruned (a layer
    with no channel left disconnects the network); ``min_keep=0`` is the plain global
    threshold. ``scope="layer"``: ``round(sparsity · C_l)`` channels pruned in every layer
    (use it when γ scales differ between layers; the two scopes on a digits CNN:
    docs/gebt.md section 7). Ranking and ties follow :mod:`gcn_tickets.pruning.topk`
    (among equal |γ| the lower index is pruned first, the higher one protected first).

    Returns ``{bn_name: bool[C_layer]}`` (True = kept).
    """
    if min_keep < 0:
        raise ValueError(f"`min_keep` must be >= 0, got {min_keep}")
    if scope not in ("global", "layer"):
        raise ValueError(f"`scope` must be 'global' or 'layer', got {scope!r}")
    scores = bn_scaling_factors(model)
    if scope == "layer":
        out = {}
        for k, v in scores.items():
            m = magnitude_masks(v, sparsity)
            assert isinstance(m, Tensor)
            if int(m.sum()) < min(min_keep, v.numel()):
                raise ValueError(f"sparsity {sparsity} leaves layer '{k}' fewer than {min_keep}")
            out[k] = m
        return out
    total = sum(t.numel() for t in scores.values())
    protected = sum(min(min_keep, t.numel()) for t in scores.values())
    if round(sparsity * total) > total - protected:
        raise ValueError(
            f"sparsity {sparsity} prunes {round(sparsity * total)} of {total} channels but "
            f"min_keep={min_keep} protects {protected}: lower one of them"
        )
    if min_keep:
        scores = {k: v.clone() for k, v in scores.items()}
        for v in scores.values():
            v[topk_mask(v, min(min_keep, v.numel()))] = float("inf")
    return magnitude_masks(scores, sparsity)  # type: ignore[return-value]


def add_bn_l1_subgradient(model: nn.Module, s: float = DEFAULT_L1) -> None:
    """Add the L1 sub-gradient ``s · sign(γ)`` to every BN γ's gradient (call after backward)."""
    if s == 0:
        return
    for mod in bn_layers(model).values():
        if mod.weight.grad is not None:
            mod.weight.grad.add_(torch.sign(mod.weight.detach()), alpha=s)


def _masked_bn_layers(model: nn.Module, masks: Mapping[str, Tensor]) -> dict[str, _BatchNorm]:
    """``bn_layers(model)`` after checking that every mask names one and has its channel count."""
    layers = bn_layers(model)
    for name, mask in masks.items():
        if name not in layers:
            raise KeyError(f"channel mask '{name}' names no affine BatchNorm of the model")
        if mask.numel() != layers[name].num_features:
            raise ValueError(
                f"channel mask '{name}' has {mask.numel()} entries, the BN has "
                f"{layers[name].num_features} channels"
            )
    return layers


class ChannelMasker:
    """Keep pruned channels at zero: ``γ[c] = β[c] = 0`` for every pruned channel c.

    Call :meth:`apply` once after building the ticket and after every optimiser step.
    """

    def __init__(self, model: nn.Module, masks: Mapping[str, Tensor]) -> None:
        layers = _masked_bn_layers(model, masks)
        self._pairs = [(layers[n], masks[n].bool()) for n in masks]

    @torch.no_grad()
    def apply(self) -> None:
        for bn, mask in self._pairs:
            keep = mask.to(bn.weight.device).to(bn.weight.dtype)
            bn.weight.mul_(keep)
            if bn.bias is not None:
                bn.bias.mul_(keep)

    def density(self) -> float:
        kept = sum(int(m.sum()) for _, m in self._pairs)
        return kept / sum(m.numel() for _, m in self._pairs)


def channel_param_masks(model: nn.Module, masks: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """The channel ticket as parameter masks: ``{"<bn>.weight": m, "<bn>.bias": m}``.

    Zeroing γ and β of a channel is what :class:`ChannelMasker` does; as parameter masks
    the ticket can be held by any masked trainer (:func:`gcn_tickets.masks.apply.apply_masks`,
    :func:`gcn_tickets.training.cnn.train_cnn`) or exported with ``torch.nn.utils.prune``.
    """
    layers = _masked_bn_layers(model, masks)
    out: dict[str, Tensor] = {}
    for name, mask in masks.items():
        out[f"{name}.weight"] = mask.bool().clone()
        if layers[name].bias is not None:
            out[f"{name}.bias"] = mask.bool().clone()
    return out


@dataclass
class ChannelSearchResult:
    """Outcome of :func:`search_channel_ticket`.

    ``masks``: channel masks at the emergence epoch (or the last epoch if it never fired);
    ``fired_epoch``: None if the detector never fired; ``epochs_run``: epochs trained;
    ``seconds``: wall-clock of the search; ``losses``: mean training loss per epoch;
    ``training``: the fit loop's :class:`~gcn_tickets.training.fit.FitResult` (one record
    per epoch with its ``loss``; no validation data, so no best epoch: ``best_epoch`` -1).
    """

    masks: dict[str, Tensor]
    fired_epoch: int | None
    epochs_run: int
    detector: EarlyBirdDetector
    seconds: float
    losses: list[float] = field(default_factory=list)
    training: FitResult | None = None

    def summary(self) -> dict[str, Any]:
        kept = sum(int(m.sum()) for m in self.masks.values())
        total = sum(m.numel() for m in self.masks.values())
        return {
            "fired_epoch": self.fired_epoch,
            "epochs_run": self.epochs_run,
            "channel_sparsity": 1 - kept / total,
            "seconds": self.seconds,
            "detector": self.detector.settings(),
        }


class _SearchTrainer:
    """:class:`~gcn_tickets.training.protocol.FitTrainer` of the search: ``loss_fn(model(x), y)``
    on each ``(x, y)`` of ``batches()``; its "evaluation" is the epoch's mean training loss
    (the search has no validation data: ``train``/``valid``/``test`` are NaN)."""

    edge_index: Tensor | None = None
    num_nodes: int = 0
    kind = "image"

    def __init__(self, batches: Callable[[], Iterable[tuple[Tensor, Tensor]]], loss_fn: LossFn) -> None:
        self.batches, self.loss_fn = batches, loss_fn
        self.device = torch.device("cpu")
        self.total, self.count = 0.0, 0

    def epoch_batches(self) -> Iterable[tuple[Tensor, Tensor]]:
        self.total, self.count = 0.0, 0
        return self.batches()

    def loss(self, model: nn.Module, edge_index: Any, edge_weight: Any, batch: Any) -> tuple[Tensor, Tensor]:
        x, y = batch
        out = model(x)
        loss = self.loss_fn(out, y)
        self.total += float(loss.detach()) * len(y)
        self.count += len(y)
        return loss, out

    def evaluate(self, model: nn.Module, edge_index: Any = None, edge_weight: Any = None) -> dict[str, float]:
        nan = math.nan
        return {"train": nan, "valid": nan, "test": nan, "loss": self.total / max(self.count, 1)}


def search_channel_ticket(
    model: nn.Module,
    batches: Callable[[], Iterable[tuple[Tensor, Tensor]]],
    optimizer: torch.optim.Optimizer,
    *,
    sparsity: float,
    max_epochs: int,
    l1: float = DEFAULT_L1,
    detector: EarlyBirdDetector | None = None,
    loss_fn: LossFn = F.cross_entropy,
    stop: bool = True,
    min_keep: int = 1,
    scope: str = "global",
) -> ChannelSearchResult:
    """Train ``model`` until its channel mask at ``sparsity`` stops changing (EB search).

    Args:
        model: any CNN with affine BatchNorm layers (on the device of the batches).
        batches: callable returning an iterable of ``(x, y)`` for one epoch (e.g. a
            ``DataLoader``'s ``__iter__`` or a lambda building shuffled batches).
        optimizer: optimiser over ``model``'s parameters.
        sparsity: fraction of channels removed by the ticket.
        max_epochs: search budget.
        l1: coefficient s of the L1 term on γ (default 1e-4).
        detector: default ``EarlyBirdDetector(groups=("channels",))`` with its defaults.
        stop: stop at emergence (default); False runs the whole budget and keeps recording.
        min_keep: channels always kept per layer (layer-collapse guard, default 1).
        scope: ``"global"`` threshold (EB, default) or per-``"layer"`` ratio.

    The mask of epoch e is drawn after the e-th epoch of training (e = 1, 2, ...). The loop is
    :func:`~gcn_tickets.training.fit.fit`: the sub-gradient after each backward, the mask and
    the detector update after each epoch, its ``should_stop`` at emergence when ``stop``.
    """
    if max_epochs < 1:
        raise ValueError(f"`max_epochs` must be >= 1, got {max_epochs}")
    det = detector if detector is not None else EarlyBirdDetector(groups=(GROUP,))
    bn_layers(model)  # fail early without BN
    start = time.perf_counter()
    found: list[dict[str, Tensor]] = []

    def after_epoch(epoch: int) -> None:  # fit counts epochs from 0, the detector from 1
        masks = channel_masks(model, sparsity, min_keep=min_keep, scope=scope)
        if det.update(epoch + 1, {GROUP: masks}):
            found.append(masks)

    res = fit(model, _SearchTrainer(batches, loss_fn), epochs=max_epochs, optimizers=[optimizer],
              after_backward=lambda: add_bn_l1_subgradient(model, l1), after_epoch=after_epoch,
              should_stop=lambda _epoch: stop and bool(found), desc="eb-channels")  # fmt: skip
    ticket = found[-1] if found else channel_masks(model, sparsity, min_keep=min_keep, scope=scope)
    return ChannelSearchResult(masks=ticket, fired_epoch=det.fired_epoch, epochs_run=len(res.history),
                               detector=det, seconds=time.perf_counter() - start,
                               losses=[r["loss"] for r in res.history], training=res)  # fmt: skip
