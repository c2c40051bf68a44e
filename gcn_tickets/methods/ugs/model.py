"""The UGS model and retraining recipe, from a :class:`UGSConfig`."""

from __future__ import annotations

from torch import nn

from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.tickets.retrain import ModelFactory, Recipe, seeded
from gcn_tickets.training.protocol import Trainer

__all__ = ["model_factory", "initial_model", "retrain_recipe"]


def model_factory(trainer: Trainer, cfg: UGSConfig) -> ModelFactory:
    """``make_model(seed)``: every RNG seeded with ``seed``, then the model of ``cfg``."""
    return seeded(
        trainer.make_model,
        hidden=cfg.hidden,
        num_layers=cfg.num_layers,
        dropout=cfg.dropout,
        input_dropout=cfg.input_dropout,
        bias=cfg.bias,
    )


def initial_model(trainer: Trainer, cfg: UGSConfig, seed: int) -> nn.Module:
    """The seeded model at Θ0 (every RNG seeded with ``seed``, then built from ``cfg``)."""
    return model_factory(trainer, cfg)(seed)


def retrain_recipe(cfg: UGSConfig) -> Recipe:
    """The ticket's retraining: ``retrain_epochs`` of Adam(``lr``, ``weight_decay``)."""
    return Recipe(
        epochs=cfg.retrain_epochs, lr=cfg.lr, weight_decay=cfg.weight_decay, eval_every=cfg.eval_every
    )
