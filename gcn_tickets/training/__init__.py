"""Training: the trainer protocol, the task trainers (node, link, graph, image), the fit
loop and its result, CNN training, training under masks on pruner data (``train_weights``)."""

from gcn_tickets.training.cnn import train_cnn
from gcn_tickets.training.data_trainer import DataTrainer, train_weights
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
    "DataTrainer",
    "train_weights",
    "make_trainer",
    "train_cnn",
]
