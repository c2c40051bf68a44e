"""Training loops: full-batch node classification, link prediction, graph classification.

Every loop reports the test metric at the best-validation epoch (as OGB does);
:func:`summarize` gives mean ± unbiased std over seeds.

A task adapter (:class:`NodeTrainer`, :class:`LinkTrainer`, :class:`GraphTrainer`)
exposes ``loss(model, edge_index, edge_weight)`` and
``evaluate(model, edge_index, edge_weight) -> {"train", "valid", "test"}``; the
generic :func:`fit` loop and the UGS/GEBT searches are built on these.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.data.datasets import GraphTask

__all__ = ["NodeTrainer", "LinkTrainer", "GraphTrainer", "make_trainer"]


class NodeTrainer:
    """Full-batch node classification; accuracy, or OGB's Evaluator for ogbn-*."""

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

    def loss(self, model: nn.Module, edge_index: Tensor, edge_weight: Tensor | None):
        out = model(self.x, edge_index, edge_weight)
        idx = self.split["train"]
        return F.cross_entropy(out[idx], self.y[idx]), out

    @torch.no_grad()
    def evaluate(self, model, edge_index, edge_weight=None) -> dict[str, float]:
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

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw) -> nn.Module:
        from gcn_tickets.models.gcn import GCN

        return GCN(
            self.task.num_features,
            hidden,
            self.task.num_classes,
            num_layers=num_layers,
            dropout=dropout,
            **kw,
        )


class LinkTrainer:
    """Link prediction with an MLP predictor (OGB recipe); Hits@K via OGB's Evaluator.

    Each step: full-graph encode, positive training edges (a batch) against uniformly
    sampled negatives, BCE. ``steps_per_epoch`` caps the batches per epoch (None =
    all training edges once, in batches of ``batch_size``).
    """

    def __init__(
        self,
        task: GraphTask,
        device="cpu",
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

    def batches(self) -> list[Tensor]:
        perm = torch.randperm(self.pos_train.size(0), device=self.device)
        chunks = list(perm.split(self.batch_size))
        return chunks[: self.steps_per_epoch] if self.steps_per_epoch else chunks

    def loss(self, model, edge_index, edge_weight, batch: Tensor | None = None):
        if batch is None:
            batch = self.batches()[0]
        h = model(self.x, edge_index, edge_weight)
        pos = self.pos_train[batch].t()
        neg = torch.randint(0, self.num_nodes, pos.shape, device=self.device)
        p = model.predictor(h[pos[0]], h[pos[1]])
        n = model.predictor(h[neg[0]], h[neg[1]])
        loss = -torch.log(p + 1e-15).mean() - torch.log(1 - n + 1e-15).mean()
        return loss, h

    @torch.no_grad()
    def _score(self, model, h: Tensor, edges: Tensor) -> Tensor:
        out = [model.predictor(h[e[:, 0]], h[e[:, 1]]) for e in edges.split(self.eval_batch)]
        return torch.cat(out).cpu()

    @torch.no_grad()
    def evaluate(self, model, edge_index, edge_weight=None) -> dict[str, float]:
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

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw) -> nn.Module:
        from gcn_tickets.models.gcn import LinkGCN

        kw.pop("input_dropout", None)  # the encoder sees embeddings, no input dropout
        nf = self.x.size(-1) if self.x is not None else 0
        return LinkGCN(self.num_nodes, nf, hidden, num_layers=num_layers, dropout=dropout, **kw)


class GraphTrainer:
    """Graph classification over mini-batches of graphs (OGB molecules); ROC-AUC etc.

    Graph masks do not apply here (each graph has its own edges): weight masks only.
    """

    def __init__(
        self,
        task: GraphTask,
        device="cpu",
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
        self.edge_index = None
        self.num_nodes = 0

    def loss_batches(self, model) -> Iterable[Tensor]:
        for i, b in enumerate(self.loaders["train"]):
            if self.max_train_batches is not None and i >= self.max_train_batches:
                break
            b = b.to(self.device)
            out = model(b.x, b.edge_index, b.batch)
            y = b.y.to(torch.float32)
            valid = ~torch.isnan(y)
            yield F.binary_cross_entropy_with_logits(out[valid], y[valid])

    @torch.no_grad()
    def evaluate(self, model, edge_index=None, edge_weight=None) -> dict[str, float]:
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

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw) -> nn.Module:
        from gcn_tickets.models.gcn import GraphGCN

        kw.pop("input_dropout", None)
        atom = self.task.name.startswith("ogbg-mol")
        return GraphGCN(
            self.task.num_features,
            hidden,
            self.task.num_classes,
            num_layers=num_layers,
            dropout=dropout,
            atom_encoder=atom,
            **kw,
        )


def make_trainer(task: GraphTask, device="cpu", **kw):
    cls = {"node": NodeTrainer, "link": LinkTrainer, "graph": GraphTrainer}[task.task]
    return cls(task, device, **kw)
