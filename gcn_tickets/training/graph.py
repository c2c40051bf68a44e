"""Graph classification over mini-batches of graphs (OGB molecules): BCE with logits on the
labelled targets; ROC-AUC etc. via OGB's ``Evaluator``. Implements
:class:`~gcn_tickets.training.protocol.Trainer`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.data.datasets import GraphTask

__all__ = ["GraphTrainer"]


def _no_graph_mask(edge_weight: Tensor | None) -> None:
    if edge_weight is not None:
        raise ValueError(
            "GraphTrainer got an edge_weight: graph masks do not apply to graph-level tasks "
            "(each molecule has its own edges); prune weights only (no graph mask)"
        )


class GraphTrainer:
    """Graph classification over mini-batches of graphs (OGB molecules); ROC-AUC etc.

    Graph masks do not apply here (each graph has its own edges): weight masks only, so
    ``edge_index`` is None and ``edge_weight`` must be None. ``epoch_batches()`` iterates the
    shuffling training loader (``batch_size`` 32), at most ``max_train_batches`` batches.
    """

    def __init__(
        self,
        task: GraphTask,
        device: torch.device | str = "cpu",
        *,
        batch_size: int = 32,
        max_train_batches: int | None = None,
    ) -> None:
        from torch_geometric.loader import DataLoader

        self.task = task
        self.device = torch.device(device)
        ds = task.dataset
        self.loaders = {
            k: DataLoader(ds[task.split[k]], batch_size=batch_size, shuffle=(k == "train"))
            for k in ("train", "valid", "test")
        }
        self.max_train_batches = max_train_batches
        self.edge_index: Tensor | None = None
        self.num_nodes = 0

    @property
    def kind(self) -> Literal["graph"]:
        return "graph"

    def epoch_batches(self) -> Iterator[Any]:
        """The training loader's batches (shuffled when iteration starts), on the device."""
        for i, b in enumerate(self.loaders["train"]):
            if self.max_train_batches is not None and i >= self.max_train_batches:
                break
            yield b.to(self.device)

    def loss(
        self, model: nn.Module, edge_index: Tensor | None, edge_weight: Tensor | None, batch: Any
    ) -> tuple[Tensor, Tensor]:
        """BCE with logits over the labelled (non-NaN) targets of ``batch``, and the logits;
        ``edge_index`` is unused (the batch carries its graphs)."""
        _no_graph_mask(edge_weight)
        out = model(batch.x, batch.edge_index, batch.batch)
        y = batch.y.to(torch.float32)
        valid = ~torch.isnan(y)
        return F.binary_cross_entropy_with_logits(out[valid], y[valid]), out

    @torch.no_grad()
    def evaluate(
        self, model: nn.Module, edge_index: Tensor | None = None, edge_weight: Tensor | None = None
    ) -> dict[str, float]:
        """The task metric on valid, test and the first 20 training batches."""
        _no_graph_mask(edge_weight)
        model.eval()
        res = {}
        for k in ("valid", "test", "train"):
            ys, ps = [], []
            for i, b in enumerate(self.loaders[k]):
                if k == "train" and i >= 20:
                    break
                b = b.to(self.device)
                ps.append(model(b.x, b.edge_index, b.batch).cpu())
                ys.append(b.y.cpu())
            res[k] = float(
                self.task.evaluator.eval({"y_true": torch.cat(ys), "y_pred": torch.cat(ps)})[self.task.metric]
            )
        model.train()
        return res

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw: Any) -> nn.Module:
        from gcn_tickets.models.gcn import GraphGCN

        kw.pop("input_dropout", None)
        t = self.task
        atom = t.name.startswith("ogbg-mol")  # OGB molecules: integer atom features
        return GraphGCN(
            t.num_features,
            hidden,
            t.num_classes,
            num_layers=num_layers,
            dropout=dropout,
            atom_encoder=atom,
            **kw,
        )
