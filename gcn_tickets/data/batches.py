"""The data a pruner or trainer sees, in two shapes, behind one small interface.

* **graph** (node classification): a PyG ``Data`` with ``x``, ``edge_index``,
  ``y`` and boolean ``train_mask`` / ``val_mask`` / ``test_mask``; the model is
  called as ``model(x, edge_index)`` and the logits of the split's nodes are
  used.
* **batches** (images, tabular): an iterable of ``(inputs, targets)`` pairs
  (a ``DataLoader``) or a single ``(inputs, targets)`` tuple of tensors; the
  model is called as ``model(inputs)``.

:func:`iter_logits` yields ``(logits, targets)`` pairs for either shape, so
score functions and training loops never branch on the data type. ``params``
lets callers run the model with substituted (e.g. masked) parameters through
:func:`torch.func.functional_call` without touching the module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import torch
from torch import Tensor, nn
from torch.func import functional_call

__all__ = [
    "is_graph",
    "call_model",
    "iter_logits",
    "balanced_subset",
    "accuracy",
    "num_classes_of",
]


def is_graph(data: Any) -> bool:
    """True for a PyG-style graph (has ``x`` and ``edge_index``)."""
    return hasattr(data, "edge_index") and hasattr(data, "x")


def _is_pair(data: Any) -> bool:
    return (
        isinstance(data, (tuple, list))
        and len(data) == 2
        and isinstance(data[0], Tensor)
        and isinstance(data[1], Tensor)
    )


def call_model(model: nn.Module, args: tuple[Any, ...], params: Mapping[str, Tensor] | None = None) -> Tensor:
    """``model(*args)``, or with ``params`` substituted via ``functional_call``."""
    if params is None:
        return model(*args)
    return functional_call(model, dict(params), args, strict=False)


def _split_mask(data: Any, split: str) -> Tensor | None:
    mask = getattr(data, f"{split}_mask", None)
    if mask is None:
        return None
    if mask.dim() > 1:  # several public splits stacked: use the first
        mask = mask[:, 0]
    return mask


def iter_logits(
    model: nn.Module,
    data: Any,
    *,
    split: str = "train",
    params: Mapping[str, Tensor] | None = None,
    index: Tensor | None = None,
) -> Iterator[tuple[Tensor, Tensor]]:
    """Yield ``(logits, targets)`` for the data (see the module docstring).

    Args:
        split: for graphs, the node split (``train``/``val``/``test``) whose
            ``<split>_mask`` selects the nodes; ignored for batches.
        params: substituted parameters (names as in ``named_parameters``).
        index: for graphs, explicit node indices (overrides ``split``).
    """
    if is_graph(data):
        out = call_model(model, (data.x, data.edge_index), params)
        y = data.y.view(-1) if data.y.dim() > 1 and data.y.size(-1) == 1 else data.y
        if index is None:
            mask = _split_mask(data, split)
            if mask is None:
                raise ValueError(f"the graph has no '{split}_mask'; add one or pass index=... explicitly")
            index = mask.nonzero().view(-1)
        yield out[index], y[index]
        return
    if _is_pair(data):
        yield call_model(model, (data[0],), params), data[1]
        return
    if not isinstance(data, Iterable):
        raise TypeError(
            f"data must be a PyG Data (x, edge_index, y, masks), an (inputs, targets) tuple "
            f"or an iterable of such pairs (a DataLoader); got {type(data).__name__}"
        )
    for batch in data:
        x, y = batch[0], batch[1]
        yield call_model(model, (x,), params), y


def num_classes_of(model: nn.Module, data: Any) -> int:
    """Number of classes = width of the model's logits on the first batch."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits, _ = next(iter_logits(model, data, split="train"))
    finally:
        model.train(was_training)
    return int(logits.shape[-1])


def balanced_subset(data: Any, samples_per_class: int, num_classes: int) -> Any:
    """At most ``samples_per_class`` training examples of each class, deterministically.

    Graph: returns ``(data, node_index)`` with the first ``samples_per_class``
    training nodes (by node id) of every class. Batches: walks the loader (or
    the tuple) in order, keeps the first examples of each class and stops as
    soon as every one of the ``num_classes`` classes is full; returns an
    ``(inputs, targets)`` tuple.
    """
    if samples_per_class <= 0:
        raise ValueError(f"`samples_per_class` must be a positive integer, got {samples_per_class}")
    if is_graph(data):
        mask = _split_mask(data, "train")
        idx = mask.nonzero().view(-1) if mask is not None else torch.arange(data.num_nodes)
        y = data.y.view(-1)[idx]
        keep = []
        for c in range(num_classes):
            keep.append(idx[y == c][:samples_per_class])
        return data, torch.sort(torch.cat(keep)).values
    pairs = [data] if _is_pair(data) else data
    counts = [0] * num_classes
    xs: list[Tensor] = []
    ys: list[Tensor] = []
    for batch in pairs:
        x, y = batch[0], batch[1]
        take = []
        for i, label in enumerate(y.tolist()):
            if 0 <= label < num_classes and counts[label] < samples_per_class:
                counts[label] += 1
                take.append(i)
        if take:
            t = torch.tensor(take)
            xs.append(x[t])
            ys.append(y[t])
        if all(c >= samples_per_class for c in counts):
            break
    if not xs:
        raise ValueError("the data yielded no examples with labels in [0, num_classes)")
    return torch.cat(xs), torch.cat(ys)


@torch.no_grad()
def accuracy(
    model: nn.Module,
    data: Any,
    *,
    split: str = "test",
    params: Mapping[str, Tensor] | None = None,
) -> float:
    """Top-1 accuracy in eval mode (restores the previous train/eval mode)."""
    was_training = model.training
    model.eval()
    correct = total = 0
    try:
        for logits, y in iter_logits(model, data, split=split, params=params):
            correct += int((logits.argmax(-1) == y).sum())
            total += int(y.numel())
    finally:
        model.train(was_training)
    return correct / total if total else float("nan")
