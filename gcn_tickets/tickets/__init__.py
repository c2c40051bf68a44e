"""Tickets: what every method shares after its search (retraining, controls, dense baseline, costs)."""

from gcn_tickets.tickets.controls import (
    RANDOM_OFFSET,
    full_like,
    random_graph_ticket,
    random_prune,
    random_ticket,
)
from gcn_tickets.tickets.costs import (
    dense_macs,
    layer_macs,
    macs_vs_dense,
    masked_macs,
    ticket_macs,
    training_macs,
)
from gcn_tickets.tickets.dense import dense_masks, dense_runs, train_dense
from gcn_tickets.tickets.retrain import (
    EDGE_WEIGHTS,
    INITS,
    REINIT_OFFSET,
    ModelFactory,
    Recipe,
    Ticket,
    build_ticket,
    retrain,
    retrain_ticket,
    seeded,
)

__all__ = [
    "EDGE_WEIGHTS",
    "INITS",
    "RANDOM_OFFSET",
    "REINIT_OFFSET",
    "ModelFactory",
    "Recipe",
    "Ticket",
    "build_ticket",
    "dense_macs",
    "dense_masks",
    "dense_runs",
    "full_like",
    "layer_macs",
    "macs_vs_dense",
    "masked_macs",
    "random_graph_ticket",
    "random_prune",
    "random_ticket",
    "retrain",
    "retrain_ticket",
    "seeded",
    "ticket_macs",
    "train_dense",
    "training_macs",
]
