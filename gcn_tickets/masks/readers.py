"""Read masks off pruned models and checkpoints (``torch.nn.utils.prune``, parametrizations, zeros).

Pure functions returning ``{parameter name: mask}``; :class:`gcn_tickets.masks.MaskSet`
validates them (``MaskSet.from_module``, ``MaskSet.from_state_dict``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from torch import Tensor, nn

from gcn_tickets.masks.errors import MaskError

__all__ = ["state_dict_masks", "module_masks", "unpruned_params"]


def state_dict_masks(
    state_dict: Mapping[str, Tensor], *, zeros: bool = False, ndim_min: int = 2
) -> dict[str, Tensor]:
    """Read ``torch.nn.utils.prune`` buffers (``<p>_mask`` next to ``<p>_orig``).

    ``weight_mask`` under module ``m`` becomes the mask of ``m.weight``. With
    ``zeros=True`` (or when no prune buffers exist) tensors with
    ``ndim >= ndim_min`` are read as ``mask = (tensor != 0)``.
    """
    masks: dict[str, Tensor] = {}
    for key, value in state_dict.items():
        if key.endswith("_mask") and isinstance(value, Tensor):
            masks[key[: -len("_mask")]] = value
    if masks and not zeros:
        return masks
    for key, value in state_dict.items():
        if (
            isinstance(value, Tensor)
            and value.is_floating_point()
            and value.dim() >= ndim_min
            and not key.endswith("_orig")
        ):
            masks.setdefault(key, value != 0)
    if not masks:
        raise MaskError("no prune buffers and no weight tensors with ndim >= 2 were found")
    return masks


def module_masks(
    model: nn.Module,
    *,
    zeros: bool = True,
    names: Iterable[str] | None = None,
    ndim_min: int = 2,
) -> dict[str, Tensor]:
    """Read the masks of a model.

    Priority per parameter: a ``torch.nn.utils.prune`` buffer ``<p>_mask``;
    a parametrization of ``<p>`` with a ``.mask`` attribute; otherwise, with
    ``zeros=True``, ``weight != 0`` for floating tensors with ``ndim >= ndim_min``.
    Names are those of the unpruned ``state_dict`` (``conv.weight``, never
    ``conv.weight_orig``).
    """
    wanted = set(names) if names is not None else None
    masks: dict[str, Tensor] = {}
    for mod_name, module in model.named_modules():
        prefix = f"{mod_name}." if mod_name else ""
        for buf_name, buf in module.named_buffers(recurse=False):
            if buf_name.endswith("_mask") and buf is not None:
                masks[prefix + buf_name[: -len("_mask")]] = buf
        plist = getattr(module, "parametrizations", None)
        if plist is not None:
            for p_name, chain in plist.items():
                for par in chain:
                    if isinstance(getattr(par, "mask", None), Tensor):
                        masks[prefix + p_name] = par.mask
                        break
    if zeros:
        for name, p in unpruned_params(model).items():
            if p.is_floating_point() and p.dim() >= ndim_min and name not in masks:
                masks[name] = p.detach() != 0
    if wanted is not None:
        missing = wanted - masks.keys()
        if missing:
            raise MaskError(f"no mask could be read for {sorted(missing)}")
        masks = {k: v for k, v in masks.items() if k in wanted}
    if not masks:
        raise MaskError(
            "the model has no prune buffers, no masked parametrizations, and (zeros=False) "
            "plain zeros were not read"
        )
    return masks


def unpruned_params(model: nn.Module) -> dict[str, Tensor]:
    """Effective parameters by their unpruned names (``w`` for ``w_orig``/parametrized ``w``)."""
    out: dict[str, Tensor] = {}
    for mod_name, module in model.named_modules():
        prefix = f"{mod_name}." if mod_name else ""
        for p_name, p in module.named_parameters(recurse=False):
            if p_name.endswith("_orig"):
                base = p_name[: -len("_orig")]
                out[prefix + base] = getattr(module, base)
            elif p_name == "original" and mod_name.split(".")[-2:-1] == ["parametrizations"]:
                continue
            else:
                out[prefix + p_name] = p
        plist = getattr(module, "parametrizations", None)
        if plist is not None:
            for p_name in plist.keys():
                out[prefix + p_name] = getattr(module, p_name)
    return {k: v for k, v in out.items() if ".parametrizations." not in k}
