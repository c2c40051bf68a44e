"""A small real image dataset that installs offline (scikit-learn's digits) and a CNN trainer.

``digits_loaders`` gives stratified train/val/test loaders (60/20/20, seeded)
of the 1,797 8×8 grey images of scikit-learn's ``load_digits`` (pixels / 16,
standardised with the training mean and std). ``input_shape`` other than
``(1, 8, 8)`` resizes the images (bilinear) and repeats the channel, so the
CIFAR zoo models can be scored with real data.

``train_cnn`` trains a (masked) CNN with SGD + momentum, cosine learning rate,
re-masking after every step, and reports the test accuracy at the epoch of
best validation accuracy (never the last epoch's by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm.auto import tqdm

from gcn_tickets.apply import apply_masks
from gcn_tickets.batches import accuracy
from gcn_tickets.masks import MaskSet

__all__ = ["DigitsData", "digits_loaders", "TrainResult", "train_cnn"]


@dataclass
class DigitsData:
    """Loaders of the digits splits plus shapes."""

    train: DataLoader
    val: DataLoader
    test: DataLoader
    input_shape: tuple[int, int, int]
    num_classes: int = 10


def digits_loaders(
    *,
    seed: int = 0,
    batch_size: int = 64,
    input_shape: Sequence[int] = (1, 8, 8),
) -> DigitsData:
    """Stratified 60/20/20 split of scikit-learn's digits as ``(N, C, H, W)`` float tensors."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(d.target, dtype=torch.long)
    idx = torch.arange(len(y)).numpy()
    tr, rest = train_test_split(idx, test_size=0.4, stratify=d.target, random_state=seed)
    va, te = train_test_split(rest, test_size=0.5, stratify=d.target[rest], random_state=seed)
    mean, std = x[tr].mean(), x[tr].std()
    x = (x - mean) / std
    c, h, w = (int(v) for v in input_shape)
    if (h, w) != (8, 8):
        x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)
    if c != 1:
        x = x.repeat(1, c, 1, 1)
    g = torch.Generator().manual_seed(seed)

    def loader(ix, shuffle: bool) -> DataLoader:
        t = torch.as_tensor(ix)
        return DataLoader(TensorDataset(x[t], y[t]), batch_size=batch_size, shuffle=shuffle, generator=g)

    return DigitsData(loader(tr, True), loader(va, False), loader(te, False), (c, h, w))


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
