"""Masks: the :class:`MaskSet` artifact, undirected-edge bookkeeping, attaching masks to models."""

from __future__ import annotations

from typing import Any

from gcn_tickets.masks.maskset import GRAPH_KEY, MaskError, MaskSet

__all__ = ["GRAPH_KEY", "MaskError", "MaskSet", "JointMasks"]


def __getattr__(name: str) -> Any:  # JointMasks pulls in torch_geometric: import it on use
    if name == "JointMasks":
        from gcn_tickets.masks.joint import JointMasks

        return JointMasks
    raise AttributeError(f"module 'gcn_tickets.masks' has no attribute {name!r}")
