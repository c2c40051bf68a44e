"""Apply a fixed mask set to a model in place, keep it through training, export it.

* :func:`apply_masks` zeroes the pruned weights in place and returns a
  :class:`Remasker`; ``remasker.attach(optimizer)`` re-applies the masks after
  every ``optimizer.step()`` (a step post-hook), so momentum and weight decay
  can never revive a pruned weight. ``remasker()`` does it by hand;
  ``remasker.detach()`` removes the hooks.
* :func:`export_to_prune` turns the mask set into ``torch.nn.utils.prune``
  masks (``prune.custom_from_mask``: ``<p>_orig`` parameter + ``<p>_mask``
  buffer), the format other tools read; :meth:`MaskSet.from_module` reads it
  back. Note: PyG's ``Linear`` writes only the effective ``weight`` to its
  ``state_dict`` (no ``_orig``/``_mask``); read such models with
  ``MaskSet.from_module``, which walks the buffers.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn
from torch.nn.utils import prune

from gcn_tickets.masks.maskset import MaskError, MaskSet

__all__ = ["apply_masks", "Remasker", "export_to_prune", "remove_prune"]


def _weights(masks: MaskSet | Mapping[str, Tensor]) -> dict[str, Tensor]:
    return dict(masks.weights) if isinstance(masks, MaskSet) else dict(MaskSet(dict(masks)).weights)


def _resolve(model: nn.Module, name: str) -> tuple[nn.Module, str]:
    mod_name, _, leaf = name.rpartition(".")
    try:
        module = model.get_submodule(mod_name) if mod_name else model
    except AttributeError:
        raise MaskError(f"mask '{name}': the model has no submodule '{mod_name}'") from None
    return module, leaf


class Remasker:
    """Re-applies fixed masks (``w ← w ⊙ m``) to a model's parameters."""

    def __init__(self, model: nn.Module, masks: Mapping[str, Tensor]) -> None:
        params = dict(model.named_parameters())
        missing = [n for n in masks if n not in params]
        if missing:
            raise MaskError(
                f"masks {missing[:5]} name no parameter of the model (was it exported with "
                "torch.nn.utils.prune already? then its weights are masked by prune itself)"
            )
        self._pairs = []
        for n, m in masks.items():
            p = params[n]
            if tuple(p.shape) != tuple(m.shape):
                raise MaskError(f"mask '{n}' has shape {tuple(m.shape)}, parameter has {tuple(p.shape)}")
            self._pairs.append((p, m.to(device=p.device)))
        self._handles: list = []

    @torch.no_grad()
    def __call__(self) -> None:
        for p, m in self._pairs:
            p.mul_(m.to(dtype=p.dtype))

    def attach(self, optimizer: torch.optim.Optimizer) -> Remasker:
        """Re-mask after every ``optimizer.step()``; returns self."""
        self._handles.append(optimizer.register_step_post_hook(lambda *_: self()))
        return self

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()


def apply_masks(
    model: nn.Module,
    masks: MaskSet | Mapping[str, Tensor],
    *,
    optimizer: torch.optim.Optimizer | None = None,
) -> Remasker:
    """Zero the pruned weights of ``model`` in place; optionally keep them zero.

    With ``optimizer`` the masks are re-applied after each of its steps.
    Returns the :class:`Remasker` (call it after any other in-place update).
    """
    remasker = Remasker(model, _weights(masks))
    remasker()
    if optimizer is not None:
        remasker.attach(optimizer)
    return remasker


def export_to_prune(model: nn.Module, masks: MaskSet | Mapping[str, Tensor]) -> nn.Module:
    """Attach the masks as ``torch.nn.utils.prune`` masks (in place; returns the model).

    Each ``<module>.<p>`` gets ``<p>_orig`` and the buffer ``<p>_mask``; a
    parameter pruned before keeps both masks (prune combines them).
    """
    weights = _weights(masks)
    MaskSet(weights).check_against(_effective_params(model))
    for name, m in weights.items():
        module, leaf = _resolve(model, name)
        ref = getattr(module, leaf)
        prune.custom_from_mask(module, name=leaf, mask=m.to(device=ref.device, dtype=ref.dtype))
    return model


def remove_prune(model: nn.Module) -> nn.Module:
    """Make every ``torch.nn.utils.prune`` mask permanent (``prune.remove``) in place."""
    for module in model.modules():
        for hook in list(module._forward_pre_hooks.values()):
            if isinstance(hook, prune.BasePruningMethod):
                prune.remove(module, hook._tensor_name)
    return model


def _effective_params(model: nn.Module) -> dict[str, Tensor]:
    out = {}
    for mod_name, module in model.named_modules():
        prefix = f"{mod_name}." if mod_name else ""
        for p_name, p in module.named_parameters(recurse=False):
            if p_name.endswith("_orig"):
                out[prefix + p_name[: -len("_orig")]] = p
            else:
                out[prefix + p_name] = p
    return out
