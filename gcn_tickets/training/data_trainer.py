"""The fit loop on the data a pruner sees (:mod:`gcn_tickets.data.batches`): a PyG ``Data``
with split masks (full batch) or ``(inputs, targets)`` batches. Cross-entropy loss through
:func:`~gcn_tickets.data.batches.iter_logits`; top-1 accuracy. Implements
:class:`~gcn_tickets.training.protocol.FitTrainer`; :func:`train_weights` trains a model's
weights under fixed masks on such data (Gem-Miner's weight phase, the Cora PaI benchmark).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.data.batches import accuracy, is_graph, iter_logits
from gcn_tickets.masks.apply import apply_masks
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.training.fit import FitResult, fit

__all__ = ["DataTrainer", "train_weights"]


class DataTrainer:
    """Cross-entropy ``Σ CE(logits, targets)`` over :func:`iter_logits` of one batch.

    A graph (``x``, ``edge_index``, ``y``, ``train_mask`` / ``val_mask`` / ``test_mask``) is one
    full-batch step per epoch on its training nodes and is evaluated on its own splits:
    ``{"train", "valid", "test"}`` accuracies of the train, val and test nodes. Batches (a
    loader of ``(inputs, targets)``) are one pass per epoch, listed when the epoch starts;
    they are evaluated on ``eval_data`` only: ``test`` is its accuracy (NaN without it),
    ``train`` and ``valid`` are NaN (iterating the training loader would draw from its
    generator), so a fit on batches has no best-validation epoch: read ``FitResult.final``.
    The model is called as ``model(x, edge_index)`` or ``model(inputs)``; the ``edge_index``
    and ``edge_weight`` that fit passes are not used (``None``).
    """

    edge_index: Tensor | None = None
    num_nodes: int = 0

    def __init__(self, data: Any, *, eval_data: Any = None, device: torch.device | str = "cpu") -> None:
        self.data, self.eval_data = data, eval_data
        self.graph = is_graph(data)
        self.device = torch.device(device)

    @property
    def kind(self) -> Literal["node", "image"]:
        return "node" if self.graph else "image"

    def epoch_batches(self) -> Iterable[Any]:
        """``[data]`` for a graph, else the list of this epoch's ``(inputs, targets)`` pairs."""
        return [self.data] if self.graph else [(b[0], b[1]) for b in self.data]

    def loss(
        self, model: nn.Module, edge_index: Tensor | None, edge_weight: Tensor | None, batch: Any
    ) -> tuple[Tensor, Tensor]:
        """``(Σ CE over iter_logits(model, batch), the last logits)``."""
        if edge_weight is not None:
            raise ValueError("DataTrainer got an edge_weight: it trains on the data's own graph; pass none")
        pairs = list(iter_logits(model, batch))
        loss = sum(F.cross_entropy(out, y) for out, y in pairs)
        assert isinstance(loss, Tensor)
        return loss, pairs[-1][0]

    def evaluate(
        self, model: nn.Module, edge_index: Tensor | None = None, edge_weight: Tensor | None = None
    ) -> dict[str, float]:
        """Accuracies in eval mode (see the class docstring; the train/eval mode is restored)."""
        if self.graph:
            return {k: accuracy(model, self.data, split=s) for k, s in (("train", "train"), ("valid", "val"),
                                                                          ("test", "test"))}  # fmt: skip
        test = accuracy(model, self.eval_data) if self.eval_data is not None else math.nan
        return {"train": math.nan, "valid": math.nan, "test": test}


def train_weights(
    model: nn.Module,
    masks: MaskSet | Mapping[str, Tensor],
    data: Any,
    *,
    epochs: int,
    lr: float,
    weight_decay: float,
    optimizer: str,
    eval_data: Any = None,
    eval_every: int | None = None,
) -> FitResult:
    """Train ``model``'s weights in place under the fixed ``masks``, cross-entropy loss.

    ``optimizer``: ``"adam"`` (Adam) or ``"sgd"`` (SGD, momentum 0.9), with ``weight_decay``
    and a cosine schedule over ``epochs``; pruned weights are re-zeroed after every step
    (:func:`gcn_tickets.masks.apply.apply_masks`). Full batch for a graph, else one pass over
    the ``(inputs, targets)`` batches per epoch: :func:`~gcn_tickets.training.fit.fit` with a
    :class:`DataTrainer`, evaluated on the graph's splits every ``eval_every`` epochs (default
    1), or on ``eval_data`` after the last epoch only (default ``eval_every=epochs``: a loader
    evaluated mid-training may share its generator with the training shuffle).
    Returns the :class:`~gcn_tickets.training.fit.FitResult`; leaves the model in eval mode.
    """
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    remasker = apply_masks(model, masks, optimizer=opt)
    trainer = DataTrainer(data, eval_data=eval_data)
    if eval_every is None:
        eval_every = 1 if trainer.graph else epochs
    try:
        res = fit(model, trainer, epochs=epochs, optimizers=[opt], after_epoch=lambda _e: sched.step(),
                  eval_every=eval_every, desc="weights")  # fmt: skip
    finally:
        remasker.detach()
    model.eval()
    return res
