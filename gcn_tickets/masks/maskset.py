"""The mask set: the central artifact of gcn_tickets.

A :class:`MaskSet` is a validated mapping from ``state_dict`` parameter names
(e.g. ``convs.0.lin.weight``) to boolean tensors (``True`` = kept) plus an
optional graph mask with ONE entry per undirected edge (see
:func:`gcn_tickets.masks.edges.undirected_edges` for the canonical edge order).

It lives outside the model and is saved as its own file::

    masks.save("run/masks_round3.pt")   # writes masks_round3.pt + masks_round3.json

The ``.json`` beside the file is the sparsity report (:meth:`MaskSet.report`).
Files are loaded with ``torch.load(..., weights_only=True)``.

Readers (:meth:`MaskSet.from_module`, :meth:`MaskSet.from_state_dict`) accept
models pruned with ``torch.nn.utils.prune`` (``<name>_mask`` buffers),
``torch.nn.utils.parametrize`` parametrizations that carry a ``.mask``, and
plain zeros in the weights.

Vocabulary: *sparsity* is the fraction REMOVED, *density* the fraction kept.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gcn_tickets.io import atomic_torch_save, atomic_write_text
from gcn_tickets.masks.checks import as_bool_mask, json_safe_meta
from gcn_tickets.masks.errors import MaskError
from gcn_tickets.masks.readers import module_masks, state_dict_masks
from gcn_tickets.masks.report import FORMAT, VERSION, sparsity_report

GRAPH_KEY = "__graph__"

__all__ = ["MaskSet", "MaskError", "GRAPH_KEY"]


@dataclass
class MaskSet:
    """Validated weight masks plus an optional graph mask.

    Args:
        weights: parameter name -> mask (bool or 0/1 tensor, any shape, non-empty).
        graph: optional mask over the undirected edges, shape ``[num_undirected_edges]``.
        meta: small JSON-safe dict (method, density, round, ...).
    """

    weights: dict[str, Tensor] = field(default_factory=dict)
    graph: Tensor | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.weights, Mapping):
            raise MaskError("weights must be a mapping from parameter names to 0/1 tensors")
        checked: dict[str, Tensor] = {}
        for name, value in self.weights.items():
            if not isinstance(name, str) or not name:
                raise MaskError(f"mask names must be non-empty strings, got {name!r}")
            if name == GRAPH_KEY:
                raise MaskError(f"'{GRAPH_KEY}' is reserved for the graph mask; pass graph=...")
            checked[name] = as_bool_mask(name, value)
        self.weights = checked
        if not checked and self.graph is None:
            raise MaskError(
                "empty mask set: give at least one weight mask (name -> 0/1 tensor) "
                "or a graph mask (graph=...)"
            )
        if self.graph is not None:
            g = as_bool_mask("graph", self.graph)
            if g.dim() != 1:
                raise MaskError(
                    f"graph mask must be 1-D with one entry per undirected edge, got shape {tuple(g.shape)}"
                )
            self.graph = g
        self.meta = json_safe_meta(self.meta)

    # ------------------------------------------------------------------ access
    def __getitem__(self, name: str) -> Tensor:
        return self.weights[name]

    def __contains__(self, name: object) -> bool:
        return name in self.weights

    def __iter__(self):
        return iter(self.weights)

    def __len__(self) -> int:
        return len(self.weights)

    def names(self) -> list[str]:
        return list(self.weights)

    def to_dict(self) -> dict[str, Tensor]:
        """Plain mapping, with the graph mask under :data:`GRAPH_KEY` when present."""
        d = dict(self.weights)
        if self.graph is not None:
            d[GRAPH_KEY] = self.graph
        return d

    # ------------------------------------------------------------- statistics
    def kept(self) -> int:
        return int(sum(int(m.sum()) for m in self.weights.values()))

    def total(self) -> int:
        return int(sum(m.numel() for m in self.weights.values()))

    def density(self) -> float:
        """Global weight density (kept / total); NaN when there are no weight masks."""
        total = self.total()
        return self.kept() / total if total else math.nan

    def sparsity(self) -> float:
        """Global weight sparsity = 1 - density."""
        return 1.0 - self.density()

    def graph_density(self) -> float:
        if self.graph is None:
            return math.nan
        return float(self.graph.float().mean())

    def graph_sparsity(self) -> float:
        return 1.0 - self.graph_density()

    def report(self) -> dict[str, Any]:
        """Sparsity report: per-layer and global density/sparsity, kept/total, graph
        (:func:`gcn_tickets.masks.report.sparsity_report`)."""
        return sparsity_report(self.weights, self.graph, self.meta)

    # ------------------------------------------------------------- checks
    def check_against(self, params: Mapping[str, Tensor] | nn.Module) -> None:
        """Raise :class:`MaskError` unless every mask names a parameter of the same shape."""
        if isinstance(params, nn.Module):
            params = dict(params.state_dict())
        for name, m in self.weights.items():
            if name not in params:
                close = [p for p in params if p.endswith(name.split(".")[-1])][:5]
                raise MaskError(
                    f"mask '{name}' names no parameter of the model; parameters ending alike: {close}"
                )
            if tuple(params[name].shape) != tuple(m.shape):
                raise MaskError(
                    f"mask '{name}' has shape {tuple(m.shape)} but the parameter has shape "
                    f"{tuple(params[name].shape)}"
                )

    def check_graph(self, num_undirected_edges: int) -> None:
        if self.graph is not None and self.graph.numel() != num_undirected_edges:
            raise MaskError(
                f"graph mask has {self.graph.numel()} entries but the graph has "
                f"{num_undirected_edges} undirected edges: was it made for another dataset?"
            )

    def is_subset_of(self, other: MaskSet) -> bool:
        """True iff every weight/edge kept here is kept in ``other`` (no un-pruning)."""
        for name, m in self.weights.items():
            if name in other.weights and bool((m & ~other.weights[name]).any()):
                return False
        if self.graph is not None and other.graph is not None:
            if bool((self.graph & ~other.graph).any()):
                return False
        return True

    def equal(self, other: MaskSet) -> bool:
        if self.weights.keys() != other.weights.keys():
            return False
        if any(not torch.equal(self.weights[k], other.weights[k]) for k in self.weights):
            return False
        if (self.graph is None) != (other.graph is None):
            return False
        return self.graph is None or torch.equal(self.graph, other.graph)

    # ------------------------------------------------------------- file I/O
    def save(self, path: str | os.PathLike, *, report: bool = True) -> Path:
        """Save atomically to ``path`` (``.pt``) and the sparsity report to ``.json`` beside it."""
        path = Path(path)
        payload = {
            "format": FORMAT,
            "version": VERSION,
            "weights": self.weights,
            "graph": self.graph,
            "meta": self.meta,
        }
        atomic_torch_save(payload, path)
        if report:
            atomic_write_text(path.with_suffix(".json"), json.dumps(self.report(), indent=2))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> MaskSet:
        """Load a mask file of the toolkit, a plain mapping of 0/1 tensors, or a pruned checkpoint.

        Always ``torch.load(..., weights_only=True)``: a file holding arbitrary
        pickled objects is refused with an explanation.
        """
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"mask file not found: {path}")
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # corrupt file, foreign pickle, truncated write ...
            raise MaskError(
                f"cannot read '{path}' as a mask file ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:200]}). Expected a file written by MaskSet.save, "
                "a torch.save'd dict of 0/1 tensors, or a state_dict of a model pruned with "
                "torch.nn.utils.prune."
            ) from None
        return cls.from_object(obj, source=str(path))

    @classmethod
    def from_object(cls, obj: Any, *, source: str = "object") -> MaskSet:
        """Interpret a loaded object (see :meth:`load`)."""
        if isinstance(obj, Mapping) and obj.get("format") == FORMAT:
            if obj.get("version") != VERSION:
                raise MaskError(
                    f"{source}: mask file version {obj.get('version')} is not supported "
                    f"(this gcn_tickets reads version {VERSION})"
                )
            return cls(obj["weights"], obj.get("graph"), dict(obj.get("meta") or {}))
        if isinstance(obj, Mapping) and "state_dict" in obj and isinstance(obj["state_dict"], Mapping):
            obj = obj["state_dict"]
        if not isinstance(obj, Mapping) or not obj:
            raise MaskError(
                f"{source}: expected a mapping from parameter names to 0/1 tensors, got {type(obj).__name__}"
            )
        if any(str(k).endswith("_mask") for k in obj):
            return cls.from_state_dict(obj)
        tensors = {k: v for k, v in obj.items() if isinstance(v, Tensor)}
        if not tensors:
            raise MaskError(f"{source}: the mapping holds no tensors")
        graph = tensors.pop(GRAPH_KEY, None)
        return cls(tensors, graph)

    # ------------------------------------------------------------- readers
    @classmethod
    def from_state_dict(
        cls, state_dict: Mapping[str, Tensor], *, zeros: bool = False, ndim_min: int = 2
    ) -> MaskSet:
        """Masks of a pruned checkpoint (:func:`gcn_tickets.masks.readers.state_dict_masks`)."""
        return cls(state_dict_masks(state_dict, zeros=zeros, ndim_min=ndim_min))

    @classmethod
    def from_module(
        cls,
        model: nn.Module,
        *,
        zeros: bool = True,
        names: Iterable[str] | None = None,
        ndim_min: int = 2,
    ) -> MaskSet:
        """Masks of a model (:func:`gcn_tickets.masks.readers.module_masks`)."""
        return cls(module_masks(model, zeros=zeros, names=names, ndim_min=ndim_min))
