"""The task trainers (node, link, graph) and :func:`make_trainer`, which picks one by
``task.task``. Each trainer implements :class:`~gcn_tickets.training.protocol.Trainer`;
the fit loop (:func:`~gcn_tickets.training.fit.fit`) and the UGS/GEBT searches are built on
that protocol. Every loop reports the test metric at the best-validation epoch (as OGB does).
"""

from __future__ import annotations

from typing import Any

import torch

from gcn_tickets.data.datasets import GraphTask
from gcn_tickets.training.graph import GraphTrainer
from gcn_tickets.training.link import LinkTrainer
from gcn_tickets.training.node import NodeTrainer
from gcn_tickets.training.protocol import Trainer

__all__ = ["NodeTrainer", "LinkTrainer", "GraphTrainer", "make_trainer"]

_TRAINERS: dict[str, type[NodeTrainer] | type[LinkTrainer] | type[GraphTrainer]] = {
    "node": NodeTrainer,
    "link": LinkTrainer,
    "graph": GraphTrainer,
}


def make_trainer(task: GraphTask, device: torch.device | str = "cpu", **kw: Any) -> Trainer:
    """The trainer of ``task.task`` (``node``, ``link`` or ``graph``); ``kw`` go to its
    constructor (e.g. ``batch_size``, ``steps_per_epoch``, ``max_train_batches``)."""
    if task.task not in _TRAINERS:
        raise ValueError(
            f"task {task.name!r} has task type {task.task!r}; expected one of {sorted(_TRAINERS)}"
        )
    return _TRAINERS[task.task](task, device, **kw)
