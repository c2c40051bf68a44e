"""Full-batch node classification: cross-entropy on the training nodes; accuracy, or OGB's
``Evaluator`` for ``ogbn-*``. Implements :class:`~gcn_tickets.training.protocol.Trainer`."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.data.datasets import GraphTask

__all__ = ["NodeTrainer"]


class NodeTrainer:
    """Full-batch node classification; accuracy, or OGB's Evaluator for ogbn-*.

    One epoch is one step on the whole graph (``epoch_batches() == [None]``); the loss is
    ``CE(model(x, edge_index, edge_weight)[train], y[train])``. Features sparser than 10 %
    non-zeros (bag of words) are held as CSR unless ``sparse_features`` says otherwise.
    """

    def __init__(
        self,
        task: GraphTask,
        device: torch.device | str = "cpu",
        *,
        sparse_features: bool | None = None,
    ) -> None:
        self.task = task
        self.device = torch.device(device)
        data = task.data
        self.x = data.x.to(self.device)
        density = float((self.x != 0).float().mean())
        if sparse_features or (sparse_features is None and density < 0.1):
            # bag-of-words features (Planetoid ~1 % dense): CSR makes X·W 3-10x cheaper
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support")
            self.x = self.x.to_sparse_csr()
        self.y = data.y.view(-1).to(self.device)
        self.edge_index = data.edge_index.to(self.device)
        self.num_nodes = int(data.num_nodes)
        self.split = {k: v.to(self.device) for k, v in task.split.items()}

    @property
    def kind(self) -> Literal["node"]:
        return "node"

    def epoch_batches(self) -> list[None]:
        """One full-batch step per epoch."""
        return [None]

    def loss(
        self, model: nn.Module, edge_index: Tensor, edge_weight: Tensor | None, batch: Any = None
    ) -> tuple[Tensor, Tensor]:
        """Cross-entropy on the training nodes and the logits of all nodes (``batch`` unused)."""
        out = model(self.x, edge_index, edge_weight)
        idx = self.split["train"]
        return F.cross_entropy(out[idx], self.y[idx]), out

    @torch.no_grad()
    def evaluate(
        self, model: nn.Module, edge_index: Tensor, edge_weight: Tensor | None = None
    ) -> dict[str, float]:
        model.eval()
        pred = model(self.x, edge_index, edge_weight).argmax(-1)
        model.train()
        res = {}
        for k in ("train", "valid", "test"):
            idx = self.split[k]
            if self.task.evaluator is not None:
                res[k] = float(
                    self.task.evaluator.eval(
                        {
                            "y_true": self.y[idx].view(-1, 1).cpu(),
                            "y_pred": pred[idx].view(-1, 1).cpu(),
                        }
                    )[self.task.metric]
                )
            else:
                res[k] = float((pred[idx] == self.y[idx]).float().mean())
        return res

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw: Any) -> nn.Module:
        from gcn_tickets.models.gcn import GCN

        t = self.task
        return GCN(t.num_features, hidden, t.num_classes, num_layers=num_layers, dropout=dropout, **kw)
