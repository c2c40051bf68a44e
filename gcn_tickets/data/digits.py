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

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

__all__ = ["DigitsData", "digits_loaders"]


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
