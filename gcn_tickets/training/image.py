"""Image classification (a CNN on ``(inputs, targets)`` loaders) for the fit loop:
cross-entropy on each training batch; top-1 accuracy on the validation and test loaders.
Implements :class:`~gcn_tickets.training.protocol.FitTrainer`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.data.batches import accuracy

__all__ = ["ImageTrainer"]


class ImageTrainer:
    """Image classification over ``(x, y)`` batches: ``CE(model(x), y)``, top-1 accuracy.

    ``epoch_batches()`` is the training loader itself (it shuffles when iterated). The
    evaluation reports ``valid`` and ``test`` accuracy (:func:`~gcn_tickets.data.batches.accuracy`,
    in that order) and ``train`` as NaN: iterating a loader draws from its generator, which
    digits' loaders share with the training shuffle, so measuring it would change the run.
    There is no graph: ``edge_index`` is None, ``num_nodes`` 0, ``edge_weight`` must be None.
    """

    edge_index: Tensor | None = None
    num_nodes: int = 0

    def __init__(
        self,
        train: Iterable[Any],
        val: Iterable[Any],
        test: Iterable[Any],
        device: torch.device | str = "cpu",
    ) -> None:
        self.train, self.val, self.test = train, val, test
        self.device = torch.device(device)

    @property
    def kind(self) -> Literal["image"]:
        return "image"

    def epoch_batches(self) -> Iterable[Any]:
        return self.train

    def _on_device(self, loader: Iterable[Any]) -> Iterator[tuple[Tensor, Tensor]]:
        for x, y in loader:
            yield x.to(self.device), y.to(self.device)

    def loss(
        self, model: nn.Module, edge_index: Tensor | None, edge_weight: Tensor | None, batch: Any
    ) -> tuple[Tensor, Tensor]:
        """Cross-entropy of ``model(x)`` against ``y`` for ``batch = (x, y)``, and the logits."""
        if edge_weight is not None:
            raise ValueError("ImageTrainer got an edge_weight: image tasks have no graph mask; pass none")
        x, y = batch
        out = model(x.to(self.device))
        return F.cross_entropy(out, y.to(self.device)), out

    def evaluate(
        self, model: nn.Module, edge_index: Tensor | None = None, edge_weight: Tensor | None = None
    ) -> dict[str, float]:
        """``{"train": nan, "valid": accuracy(val), "test": accuracy(test)}`` (eval mode; the
        model's train/eval mode is restored)."""
        valid = accuracy(model, self._on_device(self.val))
        test = accuracy(model, self._on_device(self.test))
        return {"train": math.nan, "valid": valid, "test": test}
