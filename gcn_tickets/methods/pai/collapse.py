"""Layer collapse after pruning: empty layers and layers cut off from every input→output path.

:func:`path_counts` linearises the network (float64, eval, max pools → average
pools; masked weights become their 0/1 mask, other weights 1, biases 0,
normalisation layers the identity) and takes ``paths(w) = w · ∂R/∂w`` with
``R = Σ f(1)``: the number of input→output paths through each weight, up to
positive factors from pooling and normalisation. :func:`collapse_report` lists the
layers with no weight kept (``empty``) and those whose kept weights lie on no path
(``disconnected``). :func:`gcn_tickets.methods.pai.prune_at_init` warns
(:class:`LayerCollapseWarning`) or, with ``strict=True``, raises
:class:`LayerCollapseError`. See docs/pai.md.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from gcn_tickets.data.batches import is_graph
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.pai.scores import params_of, synflow_inputs, synflow_on

__all__ = ["LayerCollapseError", "LayerCollapseWarning", "CollapseReport", "path_counts", "collapse_report"]


class LayerCollapseError(RuntimeError):
    """A pruned layer has no weight left or no kept weight on an input→output path."""


class LayerCollapseWarning(UserWarning):
    """Warning form of :class:`LayerCollapseError` (``strict=False``)."""


_AVG_POOL: dict[type, type] = {
    nn.MaxPool1d: nn.AvgPool1d,
    nn.MaxPool2d: nn.AvgPool2d,
    nn.MaxPool3d: nn.AvgPool3d,
}
_ADAPTIVE_AVG: dict[type, type] = {
    nn.AdaptiveMaxPool2d: nn.AdaptiveAvgPool2d,
    nn.AdaptiveMaxPool1d: nn.AdaptiveAvgPool1d,
}


def _swap_max_pools(model: nn.Module) -> None:
    """Max → average pooling, so that every input of a window keeps its paths."""
    for name, module in list(model.named_modules()):
        new: nn.Module | None = None
        if type(module) in _AVG_POOL:
            new = _AVG_POOL[type(module)](module.kernel_size, module.stride, module.padding, module.ceil_mode)
        elif type(module) in _ADAPTIVE_AVG:
            new = _ADAPTIVE_AVG[type(module)](module.output_size)
        if new is not None and name:
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, child, new)


@torch.no_grad()
def _linearise_for_paths(work: nn.Module, masks: Mapping[str, Tensor]) -> None:
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
    _linearise_for_paths(work, masks)
    names = [n for n in masks if n in params_of(work)]
    return synflow_on(work, names, synflow_inputs(work, input_shape, data))


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
        """``empty`` then the ``disconnected`` layers not already listed."""
        return self.empty + [n for n in self.disconnected if n not in self.empty]

    def __bool__(self) -> bool:  # truthy when something collapsed
        return bool(self.collapsed)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per layer: layer, kept, total, density, on_path, collapsed."""
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
