"""Validation of the pieces of a :class:`~gcn_tickets.masks.maskset.MaskSet`: one mask
(bool or 0/1 tensor, non-empty, no NaN) and its JSON-safe ``meta``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor

from gcn_tickets.masks.errors import MaskError

__all__ = ["as_bool_mask", "json_safe_meta"]


def as_bool_mask(name: str, value: Any) -> Tensor:
    """Validate one mask and return it as a CPU bool tensor."""
    if not isinstance(value, Tensor):
        raise MaskError(f"mask '{name}' is a {type(value).__name__}, expected a torch.Tensor of 0/1 values")
    if value.numel() == 0:
        raise MaskError(f"mask '{name}' is empty (shape {tuple(value.shape)}): drop the entry")
    t = value.detach().cpu()
    if t.dtype == torch.bool:
        return t.clone()
    if t.is_floating_point() or t.is_complex():
        if torch.isnan(t).any():
            raise MaskError(
                f"mask '{name}' contains NaN: masks must hold only 0 and 1; "
                "threshold your scores first (e.g. scores > 0)"
            )
    bad = (t != 0) & (t != 1)
    if bad.any():
        example = t[bad].flatten()[0].item()
        raise MaskError(
            f"mask '{name}' is not binary: found value {example!r} ({int(bad.sum())} entries "
            "not in {0, 1}); masks must hold only 0 and 1 (True = kept)"
        )
    return t != 0


def json_safe_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` with str keys, refused unless every value is a scalar or a list of scalars."""
    out: dict[str, Any] = {}
    for k, v in meta.items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[str(k)] = v
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float, bool)) for x in v):
            out[str(k)] = list(v)
        else:
            raise MaskError(f"meta entry '{k}' must be a str/int/float/bool or a list of those")
    return out
