"""Training: the trainer protocol, the task trainers (node, link, graph, image), the fit
loop and its result, CNN training."""

from gcn_tickets.training.cnn import train_cnn
from gcn_tickets.training.fit import FitResult, fit, fit_adam, seed_everything, summarize
from gcn_tickets.training.image import ImageTrainer
from gcn_tickets.training.protocol import FitTrainer, Trainer
from gcn_tickets.training.trainers import GraphTrainer, LinkTrainer, NodeTrainer, make_trainer

__all__ = [
    "FitResult",
    "fit",
    "fit_adam",
    "seed_everything",
    "summarize",
    "Trainer",
    "FitTrainer",
    "GraphTrainer",
    "LinkTrainer",
    "NodeTrainer",
    "ImageTrainer",
    "make_trainer",
    "train_cnn",
]
