"""train_weights / DataTrainer: the fit loop on a pruner's data (a graph with splits, or batches)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch_geometric.data import Data

from gcn_tickets.data.batches import accuracy
from gcn_tickets.training import DataTrainer, FitTrainer, train_weights


class _Lin(nn.Module):
    """A linear classifier that ignores the graph (``model(x, edge_index)`` or ``model(x)``)."""

    def __init__(self, d: int, c: int) -> None:
        super().__init__()
        self.lin = nn.Linear(d, c)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor | None = None) -> torch.Tensor:
        return self.lin(x)


def _graph() -> Data:
    x = torch.eye(6)
    y = torch.tensor([0, 1, 0, 1, 0, 1])
    masks = {k: torch.tensor(v) for k, v in (("train_mask", [1, 1, 1, 1, 0, 0]),
                                             ("val_mask", [0, 0, 0, 0, 1, 0]),
                                             ("test_mask", [0, 0, 0, 0, 0, 1]))}  # fmt: skip
    return Data(
        x=x, edge_index=torch.tensor([[0, 1], [1, 0]]), y=y, **{k: v.bool() for k, v in masks.items()}
    )


def _mask() -> dict[str, torch.Tensor]:
    m = torch.ones(2, 6, dtype=torch.bool)
    m[:, 5] = False
    return {"lin.weight": m}


def test_train_weights_on_a_graph_evaluates_its_splits_every_epoch():
    torch.manual_seed(0)
    model, data = _Lin(6, 2), _graph()
    assert isinstance(DataTrainer(data), FitTrainer) and DataTrainer(data).kind == "node"
    res = train_weights(model, _mask(), data, epochs=5, lr=0.1, weight_decay=0.0, optimizer="adam")
    assert [h["epoch"] for h in res.history] == [0, 1, 2, 3, 4]
    assert res.final["test"] == accuracy(model, data, split="test")
    assert res.final["train"] == accuracy(model, data, split="train") == 1.0
    assert res.valid == max(h["valid"] for h in res.history) and res.best_epoch >= 0
    assert not model.training and torch.all(model.lin.weight.detach()[:, 5] == 0)


class _CountingLoader:
    """Two fixed ``(x, y)`` batches; counts how often it is iterated."""

    def __init__(self) -> None:
        g = torch.Generator().manual_seed(1)
        self.x, self.y, self.passes = torch.randn(8, 6, generator=g), torch.arange(8) % 2, 0

    def __iter__(self):
        self.passes += 1
        return iter([(self.x[:4], self.y[:4]), (self.x[4:], self.y[4:])])


def test_train_weights_on_batches_evaluates_eval_data_after_the_last_epoch_only():
    torch.manual_seed(0)
    model, loader = _Lin(6, 2), _CountingLoader()
    held_out = (torch.eye(6), torch.tensor([0, 1, 0, 1, 0, 1]))
    res = train_weights(
        model, _mask(), loader, epochs=3, lr=0.05, weight_decay=5e-4, optimizer="sgd", eval_data=held_out
    )
    assert loader.passes == 3  # one pass per epoch, none for evaluation
    assert [h["epoch"] for h in res.history] == [2] and res.final["test"] == accuracy(model, held_out)
    assert math.isnan(res.final["valid"]) and math.isnan(res.final["train"])
    assert res.best_epoch == -1 and math.isnan(res.test)  # no validation data: no best epoch
    assert all(math.isnan(v) for v in DataTrainer(loader).evaluate(model).values())  # no eval_data


def test_data_trainer_rejects_an_edge_weight():
    data = _graph()
    with pytest.raises(ValueError, match="DataTrainer got an edge_weight: it trains on the data's own graph"):
        DataTrainer(data).loss(_Lin(6, 2), data.edge_index, torch.ones(2), data)
