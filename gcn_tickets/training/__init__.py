"""Training: the task trainers (node, link, graph), the fit loop, CNN training."""

from gcn_tickets.training.fit import FitResult, fit, fit_adam, seed_everything, summarize
from gcn_tickets.training.trainers import GraphTrainer, LinkTrainer, NodeTrainer, make_trainer

__all__ = [
    "FitResult",
    "fit",
    "fit_adam",
    "seed_everything",
    "summarize",
    "GraphTrainer",
    "LinkTrainer",
    "NodeTrainer",
    "make_trainer",
]
