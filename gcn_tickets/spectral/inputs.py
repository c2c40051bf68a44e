"""Inputs of a spectral audit: masks (and weights when present) from a :class:`MaskSet`,
a model, a mapping or a file (see ``docs/spectral.md``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from gcn_tickets.masks.maskset import MaskError, MaskSet

__all__ = ["load_audit_input"]


def _effective_weights_from_state_dict(sd: Mapping[str, Any]) -> dict[str, Tensor]:
    """Weights by unpruned name: ``<p>_orig * <p>_mask`` for prune buffers, else the tensor."""
    out: dict[str, Tensor] = {}
    for k, v in sd.items():
        if not isinstance(v, Tensor) or not v.is_floating_point():
            continue
        if k.endswith("_orig"):
            base = k[: -len("_orig")]
            mask = sd.get(base + "_mask")
            out[base] = v * mask if isinstance(mask, Tensor) else v
        elif not k.endswith("_mask") and k not in out:
            out[k] = v
    return out


def _module_weights(model: nn.Module, names: list[str]) -> dict[str, Tensor]:
    out: dict[str, Tensor] = {}
    for name in names:
        obj: Any = model
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        if isinstance(obj, Tensor):
            out[name] = obj.detach()
    return out


def load_audit_input(
    source: str | os.PathLike | MaskSet | nn.Module | Mapping[str, Any],
    *,
    zeros: bool = False,
) -> tuple[MaskSet, dict[str, Tensor] | None]:
    """Read masks (and weights when present) from any supported input.

    - :class:`MaskSet`: masks only.
    - ``nn.Module``: :meth:`MaskSet.from_module` (prune buffers, parametrizations, zeros);
      weights = the effective (masked) parameters.
    - mapping / file: a toolkit mask file, a mapping of 0/1 tensors (masks only), or a
      state_dict with ``torch.nn.utils.prune`` buffers (weights = ``orig * mask``). With
      ``zeros=True`` a plain state_dict of (pruned) weights is read as ``mask = W != 0``.
    """
    if isinstance(source, MaskSet):
        return source, None
    if isinstance(source, nn.Module):
        ms = MaskSet.from_module(source)
        return ms, _module_weights(source, ms.names())
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise MaskError(f"file not found: {path}")
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise MaskError(
                f"cannot read '{path}' ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). "
                "Expected a mask file written by MaskSet.save, a torch.save'd dict of 0/1 "
                "tensors, or a state_dict of a model pruned with torch.nn.utils.prune."
            ) from None
        src = str(path)
    else:
        obj, src = source, "mapping"
    if isinstance(obj, Mapping) and "state_dict" in obj and isinstance(obj["state_dict"], Mapping):
        obj = obj["state_dict"]
    if not isinstance(obj, Mapping):
        raise MaskError(f"{src}: expected a mapping, got {type(obj).__name__}")
    has_prune = any(str(k).endswith("_mask") for k in obj)
    if zeros and not has_prune:
        ms = MaskSet.from_state_dict(obj, zeros=True)
        weights = _effective_weights_from_state_dict(obj)
        return ms, {k: v for k, v in weights.items() if k in ms}
    try:
        ms = MaskSet.from_object(obj, source=src)
    except MaskError as exc:
        if "not binary" in str(exc):
            raise MaskError(
                f"{exc}. If this is a state_dict of pruned weights (not masks), pass "
                "zeros=True (CLI: --zeros) to read mask = weight != 0."
            ) from None
        raise
    weights = _effective_weights_from_state_dict(obj) if has_prune else None
    if weights is not None:
        weights = {k: v for k, v in weights.items() if k in ms}
    return ms, weights
