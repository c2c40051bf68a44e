"""The trainer protocol: what :func:`~gcn_tickets.training.fit.fit` and the methods need of a task.

Two layers, both :class:`typing.Protocol` (structural: implement the members, no base class):

* :class:`FitTrainer` is what the fit loop consumes. One epoch is::

      for batch in trainer.epoch_batches():
          loss, out = trainer.loss(model, edge_index, edge_weight, batch)
          ... backward, optimizer steps ...
      metrics = trainer.evaluate(model, edge_index, edge_weight)  # {"train", "valid", "test"}

  ``epoch_batches()`` is called once at the start of every epoch and may draw random numbers
  then (a shuffled permutation); ``loss`` may draw more (negative samples, dropout).
  :class:`~gcn_tickets.training.image.ImageTrainer` (CNN image classification) implements it.
* :class:`Trainer` adds what the ticket methods (UGS, GEBT) need of a graph task: the
  :class:`~gcn_tickets.data.datasets.GraphTask`, ``make_model`` and ``kind`` in
  ``{"node", "link", "graph"}`` (callers branch on ``trainer.kind``, never on the class or
  on ``trainer.task.task``). :class:`~gcn_tickets.training.node.NodeTrainer`,
  :class:`~gcn_tickets.training.link.LinkTrainer` and
  :class:`~gcn_tickets.training.graph.GraphTrainer` implement it (full batch, one process);
  sampled and distributed trainers implement the same members.

Conventions: ``edge_index`` is ``[2, E]`` (PyG), ``None`` for graph-level and image tasks
(each batch carries its own graph, or none); ``edge_weight`` is ``[E]`` or ``None`` (a graph
mask; graph-level and image trainers accept only ``None``); ``num_nodes`` is 0 where there is
no single graph. Metrics are floats; ``train`` may be NaN where measuring it would disturb
the random stream (images: the shuffling training loader).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from gcn_tickets.data.datasets import GraphTask

Kind = Literal["node", "link", "graph", "image"]
TaskKind = Literal["node", "link", "graph"]

__all__ = ["Kind", "TaskKind", "FitTrainer", "Trainer"]


@runtime_checkable
class FitTrainer(Protocol):
    """A task the fit loop can train: batches of one epoch, a loss, an evaluation."""

    device: torch.device
    edge_index: Tensor | None
    num_nodes: int

    @property
    def kind(self) -> Kind:
        """``"node"``, ``"link"``, ``"graph"`` or ``"image"``."""
        ...

    def epoch_batches(self) -> Iterable[Any]:
        """The training batches of one epoch (node: ``[None]``, one full-batch step)."""
        ...

    def loss(
        self, model: nn.Module, edge_index: Tensor | None, edge_weight: Tensor | None, batch: Any
    ) -> tuple[Tensor, Tensor]:
        """``(scalar training loss, model output)`` on one batch of :meth:`epoch_batches`."""
        ...

    def evaluate(
        self, model: nn.Module, edge_index: Tensor | None, edge_weight: Tensor | None = None
    ) -> dict[str, float]:
        """``{"train", "valid", "test"}`` metrics in eval mode; leaves the model in train mode."""
        ...


@runtime_checkable
class Trainer(FitTrainer, Protocol):
    """A graph task (node, link or graph level) for the fit loop and the ticket methods."""

    task: GraphTask

    @property
    def kind(self) -> TaskKind:
        """``"node"``, ``"link"`` or ``"graph"``."""
        ...

    def make_model(self, *, hidden: int, num_layers: int, dropout: float, **kw: Any) -> nn.Module:
        """A fresh model for the task (draws its initial weights from torch's global RNG)."""
        ...
