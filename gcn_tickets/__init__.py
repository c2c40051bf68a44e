"""gcn_tickets: lottery tickets for graph neural networks.

Joint graph-and-weight masks on PyG GCNs (UGS, GEBT), pruning at
initialisation, and spectral (Ramanujan / expander) audits of pruned layers.

The public names below are imported on first use, so ``import gcn_tickets`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC: dict[str, str] = {
    "MaskSet": "gcn_tickets.masks.maskset",
    "MaskError": "gcn_tickets.masks.maskset",
    "GRAPH_KEY": "gcn_tickets.masks.maskset",
    "JointMasks": "gcn_tickets.masks.joint",
    "prune_at_init": "gcn_tickets.methods.pai",
    "run_ugs": "gcn_tickets.methods.ugs",
    "gebt_search": "gcn_tickets.methods.gebt",
    "EarlyBirdDetector": "gcn_tickets.methods.early_bird",
    "load_dataset": "gcn_tickets.data",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'gcn_tickets' has no attribute {name!r}")
