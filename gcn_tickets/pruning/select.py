"""Which tensors are prunable, and the argument checks every pruner shares.

Prunable tensors are selected by shape (JaxPruner's rule): every parameter with
``ndim >= 2`` (conv and linear weights, PyG's ``Linear`` included), optionally
without the first / last one; ``nn.Embedding`` tables are skipped. BatchNorm
parameters and biases are never pruned. See docs/pai.md.

The checks raise ``ValueError`` naming the argument, the bad value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from torch import nn

__all__ = ["prunable_names", "check_density", "check_iterations", "check_choice"]


def check_density(density: float) -> float:
    """``density`` (the fraction KEPT) as a float in ``(0, 1]``, else ``ValueError``."""
    if isinstance(density, bool) or not isinstance(density, (int, float)):
        raise ValueError(f"`density` must be a number in (0, 1], got {density!r}")
    density = float(density)
    if not (0.0 < density <= 1.0) or math.isnan(density):
        raise ValueError(
            f"`density` must satisfy 0 < density <= 1 (the fraction KEPT), got {density}; "
            "for a sparsity s pass density = 1 - s"
        )
    return density


def check_iterations(iterations: int) -> int:
    """``iterations`` (pruning rounds) as an integer ``>= 1``, else ``ValueError``."""
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"`iterations` must be an integer >= 1, got {iterations!r}")
    return iterations


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else ``ValueError`` naming ``name`` and the choices."""
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {list(choices)}, got {value!r}")
    return value


def prunable_names(
    model: nn.Module,
    *,
    include_first: bool = True,
    include_last: bool = True,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Names (as in ``state_dict``) of the prunable weights, in registration order.

    Selected by shape: every parameter with ``ndim >= 2`` except ``nn.Embedding``
    tables. "First" and "last" are the first and last of these in registration
    order (for the zoo models: the stem conv and the classifier).
    """
    skip = set(exclude)
    names: list[str] = []
    for mod_name, module in model.named_modules():
        if isinstance(module, nn.Embedding):
            continue
        prefix = f"{mod_name}." if mod_name else ""
        for p_name, p in module.named_parameters(recurse=False):
            if isinstance(p, nn.parameter.UninitializedParameter):
                raise ValueError(
                    f"parameter '{prefix + p_name}' is lazily initialised: run one forward "
                    "pass (or give the layer its in_channels) before pruning"
                )
            if p.dim() >= 2 and (prefix + p_name) not in skip:
                names.append(prefix + p_name)
    if not include_first and names:
        names = names[1:]
    if not include_last and names:
        names = names[:-1]
    if not names:
        raise ValueError(
            "the model has no prunable weights (parameters with ndim >= 2) after the "
            "first/last/exclude options; check include_first/include_last/exclude"
        )
    return names
