"""Train a (masked) CNN with SGD + momentum and a cosine learning rate, re-masking after every
step; test accuracy at the epoch of best validation accuracy (never the last epoch's).

A thin recipe over :func:`~gcn_tickets.training.fit.fit` with an
:class:`~gcn_tickets.training.image.ImageTrainer`.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader

from gcn_tickets.masks.apply import apply_masks
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.training.fit import FitResult, check_positive_int, fit
from gcn_tickets.training.image import ImageTrainer

__all__ = ["train_cnn"]


def train_cnn(
    model: nn.Module,
    train: DataLoader,
    val: DataLoader,
    test: DataLoader,
    *,
    masks: MaskSet | Mapping[str, Tensor] | None = None,
    epochs: int = 30,
    lr: float = 0.05,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    seed: int = 0,
    progress: bool = False,
) -> FitResult:
    """Train ``model`` in place (under ``masks``, re-applied after every step).

    ``torch.manual_seed(seed)``, then SGD(lr, momentum, weight decay) with a cosine schedule
    over ``epochs`` (stepped after each epoch); cross-entropy loss. The best-validation
    weights are NOT restored: ``valid``/``test`` are the accuracies at the best-validation
    epoch, ``final["test"]`` the last epoch's, ``history`` every epoch's (``train`` is NaN,
    see :class:`~gcn_tickets.training.image.ImageTrainer`).
    """
    check_positive_int("epochs", epochs, "pass the number of training epochs, e.g. epochs=30")
    torch.manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    remasker = apply_masks(model, masks, optimizer=opt) if masks is not None else None
    try:
        return fit(
            model,
            ImageTrainer(train, val, test),
            epochs=epochs,
            optimizers=[opt],
            after_epoch=lambda _epoch: sched.step(),
            progress=progress,
        )
    finally:
        if remasker is not None:
            remasker.detach()
