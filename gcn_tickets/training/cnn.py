"""Train a (masked) CNN with SGD + momentum and a cosine learning rate, re-masking after every
step; test accuracy at the epoch of best validation accuracy (never the last epoch's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from gcn_tickets.data.batches import accuracy
from gcn_tickets.masks.apply import apply_masks
from gcn_tickets.masks.maskset import MaskSet

__all__ = ["TrainResult", "train_cnn"]


@dataclass
class TrainResult:
    """Accuracies of one training run (test at the epoch of best validation)."""

    best_val: float
    test_at_best_val: float
    final_test: float
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)


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
) -> TrainResult:
    """Train ``model`` in place (under ``masks``, re-applied after every step).

    SGD(lr, momentum, weight decay) with a cosine schedule over ``epochs``;
    cross-entropy loss. The best-validation weights are NOT restored; the
    result reports the test accuracy measured at that epoch.
    """
    if epochs < 1:
        raise ValueError(f"`epochs` must be >= 1, got {epochs}")
    torch.manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    remasker = apply_masks(model, masks, optimizer=opt) if masks is not None else None
    best = (-1.0, float("nan"), -1)
    history = []
    for epoch in tqdm(range(epochs), desc="train", disable=not progress, leave=False):
        model.train()
        for x, y in train:
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
        sched.step()
        va, te = accuracy(model, val), accuracy(model, test)
        history.append({"epoch": epoch, "val": va, "test": te})
        if va > best[0]:
            best = (va, te, epoch)
    if remasker is not None:
        remasker.detach()
    return TrainResult(best[0], best[1], history[-1]["test"], best[2], history)
