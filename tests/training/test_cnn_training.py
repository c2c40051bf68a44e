"""train_cnn is fit with an ImageTrainer: FitResult, pinned accuracies, budget validation."""

import math
import warnings

import pytest
import torch

import gcn_tickets
from gcn_tickets.data.digits import digits_loaders
from gcn_tickets.models.zoo import build_model
from gcn_tickets.training import FitResult, train_cnn


@pytest.fixture
def one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _digits_cnn_with_rand_mask():
    torch.manual_seed(0)
    model = build_model("digits_cnn", in_channels=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        masks = gcn_tickets.prune_at_init(model, "rand", 0.1, seed=0)
    return model, masks


def test_train_cnn_pinned_accuracies(one_thread):
    # pinned from the pre-refactor train_cnn (its own SGD loop): same seed, same accuracies
    model, masks = _digits_cnn_with_rand_mask()
    data = digits_loaders(seed=0)  # 359 validation and 360 test images
    res = train_cnn(model, data.train, data.val, data.test, masks=masks, epochs=3, seed=0)
    assert isinstance(res, FitResult)
    assert [round(h["valid"] * 359) for h in res.history] == [139, 258, 308]
    assert [round(h["test"] * 360) for h in res.history] == [145, 266, 306]
    assert res.best_epoch == 2 and res.valid == 308 / 359 and res.test == res.final["test"] == 306 / 360
    assert math.isnan(res.train)
    params = dict(model.named_parameters())
    for name, m in masks.weights.items():  # re-masked after every step
        assert torch.all(params[name].detach()[~m] == 0), name


def test_train_cnn_rejects_zero_epochs_before_touching_the_model():
    model, masks = _digits_cnn_with_rand_mask()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    data = digits_loaders(seed=0)
    with pytest.raises(ValueError, match=r"`epochs` must be an integer >= 1, got 0; pass the number"):
        train_cnn(model, data.train, data.val, data.test, masks=masks, epochs=0)
    assert all(torch.equal(p.detach(), before[n]) for n, p in model.named_parameters())
