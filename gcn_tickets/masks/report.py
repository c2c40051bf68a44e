"""The sparsity report written beside every mask file (``<name>.json``), and the mask
file's format tag and version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor

__all__ = ["FORMAT", "VERSION", "sparsity_report"]

FORMAT = "gcn_tickets.maskset"
VERSION = 1


def sparsity_report(
    weights: Mapping[str, Tensor], graph: Tensor | None, meta: Mapping[str, Any]
) -> dict[str, Any]:
    """Per-layer and global ``kept`` / ``total`` / density / sparsity, the graph's kept and
    total edges, and ``meta``; density = kept / total, sparsity = 1 - density."""
    layers = {}
    for name, m in weights.items():
        k, n = int(m.sum()), m.numel()
        layers[name] = {
            "shape": list(m.shape),
            "kept": k,
            "total": n,
            "density": k / n,
            "sparsity": 1 - k / n,
        }
    kept = int(sum(layer["kept"] for layer in layers.values()))
    total = int(sum(layer["total"] for layer in layers.values()))
    rep: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "layers": layers,
        "global": {
            "kept": kept,
            "total": total,
            "density": kept / total if total else None,
            "sparsity": 1 - kept / total if total else None,
        },
        "graph": None,
        "meta": meta,
    }
    if graph is not None:
        gk, gn = int(graph.sum()), graph.numel()
        rep["graph"] = {
            "kept_edges": gk,
            "total_edges": gn,
            "density": gk / gn,
            "sparsity": 1 - gk / gn,
        }
    return rep
