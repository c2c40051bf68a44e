"""The trainer protocol: every trainer satisfies it and `fit` trains each kind through it."""

import math

import pytest
import torch
from torch import nn

from gcn_tickets.data.datasets import GraphTask
from gcn_tickets.training import (
    FitResult,
    FitTrainer,
    GraphTrainer,
    ImageTrainer,
    LinkTrainer,
    NodeTrainer,
    Trainer,
    fit,
    make_trainer,
    seed_everything,
)


@pytest.fixture(scope="module")
def karate_link_task():
    """Karate's 78 undirected edges: 60 train (the message-passing graph), 9 valid, 9 test."""
    from torch_geometric.datasets import KarateClub

    ds = KarateClub()
    data = ds[0].clone()
    und = data.edge_index[:, data.edge_index[0] < data.edge_index[1]]
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(und.size(1), generator=g)
    tr, va, te = und[:, perm[:60]], und[:, perm[60:69]], und[:, perm[69:]]
    neg = torch.randint(0, 34, (2, 18), generator=g)
    data.edge_index = torch.cat([tr, tr.flip(0)], 1)
    split = {
        "train": {"edge": tr.t()},
        "valid": {"edge": va.t(), "edge_neg": neg[:, :9].t()},
        "test": {"edge": te.t(), "edge_neg": neg[:, 9:].t()},
    }
    return GraphTask("Karate-link", "link", data, split, ds.num_features, 1, "auc")


class _Graphs(list):
    """A list of graphs indexable by a tensor of indices (as a PyG dataset)."""

    def __getitem__(self, idx):
        if isinstance(idx, torch.Tensor):
            return [list.__getitem__(self, int(i)) for i in idx]
        return list.__getitem__(self, idx)


@pytest.fixture(scope="module")
def tiny_graph_task():
    """12 random 5-node graphs with 3 features and one binary label (both classes per split)."""
    from ogb.graphproppred import Evaluator
    from torch_geometric.data import Data

    g = torch.Generator().manual_seed(0)
    src = torch.arange(4)
    ei = torch.cat([torch.stack([src, src + 1]), torch.stack([src + 1, src])], 1)
    graphs = _Graphs(
        Data(x=torch.randn(5, 3, generator=g), edge_index=ei, y=torch.tensor([[float(i % 2)]]), num_nodes=5)
        for i in range(12)
    )
    split = {"train": torch.arange(6), "valid": torch.arange(6, 9), "test": torch.arange(9, 12)}
    split["valid"], split["test"] = torch.tensor([6, 7, 8, 9]), torch.tensor([10, 11])
    ev = Evaluator("ogbg-molbace")
    return GraphTask("tiny-graphs", "graph", None, split, 3, 1, ev.eval_metric, evaluator=ev, dataset=graphs)


def _count_steps(model, trainer, epochs: int) -> tuple[FitResult, int]:
    steps = []
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    res = fit(model, trainer, epochs=epochs, optimizers=[opt], after_step=lambda: steps.append(1))
    return res, len(steps)


def test_every_trainer_satisfies_the_protocol(karate_task, karate_link_task, tiny_graph_task):
    node, link, graph = (make_trainer(t) for t in (karate_task, karate_link_task, tiny_graph_task))
    assert (type(node), type(link), type(graph)) == (NodeTrainer, LinkTrainer, GraphTrainer)
    for trainer, kind in ((node, "node"), (link, "link"), (graph, "graph")):
        assert isinstance(trainer, Trainer) and isinstance(trainer, FitTrainer)
        assert trainer.kind == kind and trainer.task.task == kind
        assert trainer.device == torch.device("cpu")
    assert node.num_nodes == link.num_nodes == 34 and graph.num_nodes == 0
    assert graph.edge_index is None and link.edge_index.size(1) == 120
    image = ImageTrainer([], [], [])
    assert isinstance(image, FitTrainer) and not isinstance(image, Trainer) and image.kind == "image"


def test_fit_on_a_node_task(karate_task):
    trainer = make_trainer(karate_task)
    assert trainer.epoch_batches() == [None]
    seed_everything(0)
    res, steps = _count_steps(trainer.make_model(hidden=8, num_layers=2, dropout=0.5), trainer, 5)
    assert steps == 5 and [h["epoch"] for h in res.history] == [0, 1, 2, 3, 4]
    assert 0 <= res.best_epoch < 5 and set(res.final) == {"train", "valid", "test", "epoch", "seconds"}


def test_fit_on_a_link_task(karate_link_task):
    trainer = LinkTrainer(karate_link_task, batch_size=16)
    torch.manual_seed(0)
    chunks = trainer.epoch_batches()
    assert [len(c) for c in chunks] == [16, 16, 16, 12] and sorted(torch.cat(chunks).tolist()) == list(
        range(60)
    )
    runs = []
    for _ in range(2):
        seed_everything(0)
        res, steps = _count_steps(trainer.make_model(hidden=8, num_layers=2, dropout=0.5), trainer, 3)
        assert steps == 12  # 3 epochs x 4 chunks of the 60 training edges
        runs.append([(h["valid"], h["test"], h["train"]) for h in res.history])
    assert runs[0] == runs[1] and all(0.0 <= v <= 1.0 for r in runs[0] for v in r)


def test_fit_on_a_graph_task(tiny_graph_task):
    trainer = GraphTrainer(tiny_graph_task, batch_size=4, max_train_batches=1)
    seed_everything(0)
    res, steps = _count_steps(trainer.make_model(hidden=8, num_layers=2, dropout=0.0), trainer, 3)
    assert steps == 3 and len(res.history) == 3  # one batch of 4 of the 6 training graphs per epoch
    assert all(0.0 <= h["valid"] <= 1.0 for h in res.history)
    with pytest.raises(ValueError, match="graph masks do not apply to graph-level tasks"):
        trainer.evaluate(nn.Identity(), None, torch.ones(3))


class _Halves:
    """A minimal FitTrainer (no graph): least squares on two half-batches per epoch."""

    kind = "image"
    device = torch.device("cpu")
    edge_index = None
    num_nodes = 0

    def __init__(self) -> None:
        self.x = torch.arange(8.0).view(8, 1)
        self.y = 2.0 * self.x

    def epoch_batches(self):
        return [slice(0, 4), slice(4, 8)]

    def loss(self, model, edge_index, edge_weight, batch):
        out = model(self.x[batch])
        return ((out - self.y[batch]) ** 2).mean(), out

    def evaluate(self, model, edge_index, edge_weight=None):
        with torch.no_grad():
            err = float(((model(self.x) - self.y) ** 2).mean())
        return {"train": -err, "valid": -err, "test": -err}


def test_fit_trains_any_fit_trainer():
    trainer = _Halves()
    assert isinstance(trainer, FitTrainer)
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.0)
    epochs_seen: list[int] = []
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    res = fit(model, trainer, epochs=40, optimizers=[opt], after_epoch=epochs_seen.append)
    assert epochs_seen == list(range(40)) and len(res.history) == 40
    assert res.best_epoch == max(res.history, key=lambda h: h["valid"])["epoch"]  # ties: earliest
    assert float(model.weight.detach()) == pytest.approx(2.0, abs=1e-3) and -res.test < 1e-4
    assert math.isfinite(res.train)
