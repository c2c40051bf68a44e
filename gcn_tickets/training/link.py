"""Link prediction with an MLP predictor (OGB recipe): BCE of positive training edges against
uniform negatives; Hits@K via OGB's ``Evaluator``, else ROC-AUC. Implements
:class:`~gcn_tickets.training.protocol.Trainer`."""

from __future__ import annotations

from typing import Any, Literal

import torch
from torch import Tensor, nn

from gcn_tickets.data.datasets import GraphTask

__all__ = ["LinkTrainer"]


class LinkTrainer:
    """Link prediction with an MLP predictor (OGB recipe); Hits@K via OGB's Evaluator.

    Each step: full-graph encode, positive training edges (a batch) against uniformly
    sampled negatives, ``-mean log p - mean log(1 - n)``. ``epoch_batches()`` draws one
    permutation of the training edges and cuts it into chunks of ``batch_size`` (64 Ki);
    ``steps_per_epoch`` caps the chunks per epoch (None = all training edges once).
    """

    def __init__(
        self,
        task: GraphTask,
        device: torch.device | str = "cpu",
        *,
        batch_size: int = 64 * 1024,
        steps_per_epoch: int | None = None,
        eval_batch: int = 256 * 1024,
    ) -> None:
        self.task = task
        self.device = torch.device(device)
        data = task.data
        self.x = data.x.to(self.device) if getattr(data, "x", None) is not None else None
        self.edge_index = data.edge_index.to(self.device)
        self.num_nodes = int(data.num_nodes)
        self.split = task.split
        self.pos_train = task.split["train"]["edge"].to(self.device)
        self.batch_size = batch_size
        self.steps_per_epoch = steps_per_epoch
        self.eval_batch = eval_batch

    @property
    def kind(self) -> Literal["link"]:
        return "link"

    def epoch_batches(self) -> list[Tensor]:
        """Index chunks of one random permutation of the positive training edges."""
        perm = torch.randperm(self.pos_train.size(0), device=self.device)
        chunks = list(perm.split(self.batch_size))
        return chunks[: self.steps_per_epoch] if self.steps_per_epoch else chunks

    def loss(
        self, model: nn.Module, edge_index: Tensor, edge_weight: Tensor | None, batch: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """BCE on the chunk ``batch`` (None: the first chunk of a fresh permutation) and the
        node embeddings."""
        if batch is None:
            batch = self.epoch_batches()[0]
        h = model(self.x, edge_index, edge_weight)
        pos = self.pos_train[batch].t()
        neg = torch.randint(0, self.num_nodes, pos.shape, device=self.device)
        p = model.predictor(h[pos[0]], h[pos[1]])
        n = model.predictor(h[neg[0]], h[neg[1]])
        loss = -torch.log(p + 1e-15).mean() - torch.log(1 - n + 1e-15).mean()
        return loss, h

    @torch.no_grad()
    def _score(self, model: nn.Module, h: Tensor, edges: Tensor) -> Tensor:
        out = [model.predictor(h[e[:, 0]], h[e[:, 1]]) for e in edges.split(self.eval_batch)]
        return torch.cat(out).cpu()

    @torch.no_grad()
    def evaluate(
        self, model: nn.Module, edge_index: Tensor, edge_weight: Tensor | None = None
    ) -> dict[str, float]:
        """Valid/test metric on their positives and negatives; ``train`` on as many random
        training positives as there are validation positives, against the validation negatives."""
        model.eval()
        h = model(self.x, edge_index, edge_weight)
        res: dict[str, float] = {}
        neg_valid = self._score(model, h, self.split["valid"]["edge_neg"].to(self.device))
        for k in ("valid", "test"):
            pos = self._score(model, h, self.split[k]["edge"].to(self.device))
            neg = (
                neg_valid
                if k == "valid"
                else self._score(model, h, self.split[k]["edge_neg"].to(self.device))
            )
            res[k] = self._metric(pos, neg)
        n = self.split["valid"]["edge"].size(0)
        idx = torch.randperm(self.pos_train.size(0))[:n]
        res["train"] = self._metric(self._score(model, h, self.pos_train[idx]), neg_valid)
        model.train()
        return res

    def _metric(self, pos: Tensor, neg: Tensor) -> float:
        ev = self.task.evaluator
        if ev is not None:
            return float(ev.eval({"y_pred_pos": pos, "y_pred_neg": neg})[self.task.metric])
        from sklearn.metrics import roc_auc_score

        y = torch.cat([torch.ones_like(pos), torch.zeros_like(neg)])
        return float(roc_auc_score(y.numpy(), torch.cat([pos, neg]).numpy()))

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw: Any) -> nn.Module:
        from gcn_tickets.models.gcn import LinkGCN

        kw.pop("input_dropout", None)  # the encoder sees embeddings, no input dropout
        nf = self.x.size(-1) if self.x is not None else 0
        return LinkGCN(self.num_nodes, nf, hidden, num_layers=num_layers, dropout=dropout, **kw)
